package ru.txix.isp.pywrapper.launcher;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.app.AppSpec;
import ru.txix.isp.pywrapper.app.Application;
import ru.txix.isp.pywrapper.app.LogbackDefaults;
import ru.txix.isp.pywrapper.config.ConfigException;

/**
 * {@code java -jar isp-python-wrapper.jar}, run from a Python project's root: hosts {@code main.py} as an ISP
 * module declared by the files in {@code conf/} ({@link ModuleFiles}). Cluster mode unless
 * {@code CLUSTER_MODE=offline}.
 */
public final class Launcher {
  private static final Logger log = LoggerFactory.getLogger(Launcher.class);

  private Launcher() {
  }

  public static void main(String[] args) {
    int code;
    try {
      AppSpec spec = ModuleFiles.load(Path.of("").toAbsolutePath(), System.getenv());
      code = new Application(spec).run();
    } catch (ConfigException e) {
      log.error(e.getMessage());
      code = Application.EXIT_ERROR;
    }
    LogbackDefaults.flush();
    System.exit(code);
  }
}
