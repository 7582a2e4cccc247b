package ru.txix.isp.pywrapper.launcher;

import java.nio.file.Path;
import ru.txix.isp.pywrapper.ModuleSpec;
import ru.txix.isp.pywrapper.PythonWrapper;

/**
 * {@code java -jar isp-python-wrapper.jar}, run from a Python project's root: hosts {@code main.py} as an ISP
 * module declared by the files in {@code conf/} ({@link ModuleSpec#fromFiles}), through the library's public
 * entry point {@link PythonWrapper#execute(ModuleSpec)}. Cluster mode unless {@code CLUSTER_MODE=offline}.
 */
public final class Launcher {
  private Launcher() {
  }

  public static void main(String[] args) throws Exception {
    // The jar carries Logback: name it rather than have SLF4J scan every module and jar for providers (and do
    // not announce it on stderr).
    System.getProperties().putIfAbsent("slf4j.provider", "ch.qos.logback.classic.spi.LogbackServiceProvider");
    System.getProperties().putIfAbsent("slf4j.internal.verbosity", "WARN");
    PythonWrapper.preload(); // in parallel with reading the files
    if (args.length == 1 && args[0].equals("--train")) {
      System.exit(Training.run(Path.of("").toAbsolutePath()));
    }
    PythonWrapper.run(ModuleSpec.fromFiles(Path.of("").toAbsolutePath()).build());
  }
}
