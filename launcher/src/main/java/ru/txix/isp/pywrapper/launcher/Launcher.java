package ru.txix.isp.pywrapper.launcher;

import java.nio.file.Path;
import ru.txix.isp.pywrapper.ModuleSpec;
import ru.txix.isp.pywrapper.PythonWrapper;

/**
 * {@code java -jar isp-python-wrapper.jar}, run from a Python project's root: hosts {@code main.py} as an ISP
 * module declared by the files in {@code conf/} ({@link ModuleSpec#fromFiles}), through the library's public
 * entry point {@link PythonWrapper#execute(ModuleSpec)}. Cluster mode unless {@code CLUSTER_MODE=offline}.
 *
 * <p>The command line: none to host the module, {@code --help} (usage on stdout, exit 0), {@code --version} (the
 * kit's version, exit 0); anything else is a usage error (usage on stderr, exit {@value #EXIT_USAGE}).
 * {@code --train} is the start script's ({@code --create-cache}).
 */
public final class Launcher {
  /** Exit code of a wrong command line (as with most command-line tools: 2). */
  static final int EXIT_USAGE = 2;

  static final String USAGE = """
      Usage: isp-python-wrapper [--help | --version | --create-cache | --print-command]

      Hosts the Python service of the current folder (main.py, pyproject.toml, uv.lock) as a module of the ISP
      platform: conf/config.yml is the local config, conf/module.yml (optional) declares the version, endpoints
      and required modules, conf/remote_config_schema.json (optional) the remote config's JSON schema. Cluster
      mode: the remote config comes from isp-config-service (configServiceAddress), and
      conf/default_remote_config.json is the default config. CLUSTER_MODE=offline: it comes from conf/config.json.
      The child gets BINDING_ADDRESS and CONFIG_FILE. Runs until SIGTERM or SIGINT.

      Options:
        --help           print this text and exit
        --version        print the kit's version and exit
        --create-cache   (start script only) record the class-data cache beside the jar, trained on this
                         folder's module
        --print-command  (start script only) print the java command the script runs, and nothing else

      Exit codes: 0 after a graceful shutdown; 1 after a start-up error (every problem is logged, one line
      each) or a second signal; 2 for a wrong command line.
      """;

  private Launcher() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      System.exit(command(args));
    }
    // The jar carries Logback: name it rather than have SLF4J scan every module and jar for providers (and do
    // not announce it on stderr).
    System.getProperties().putIfAbsent("slf4j.provider", "ch.qos.logback.classic.spi.LogbackServiceProvider");
    System.getProperties().putIfAbsent("slf4j.internal.verbosity", "WARN");
    PythonWrapper.preload(); // in parallel with reading the files
    PythonWrapper.run(ModuleSpec.fromFiles(Path.of("").toAbsolutePath()).build());
  }

  /** A command line with arguments: what it asks for, done; the exit code. */
  private static int command(String[] args) throws Exception {
    if (args.length == 1) {
      switch (args[0]) {
        case "--help", "-h" -> {
          System.out.print(USAGE);
          return 0;
        }
        case "--version" -> {
          System.out.println("isp-python-wrapper " + PythonWrapper.version());
          return 0;
        }
        case "--train" -> {
          System.getProperties().putIfAbsent("slf4j.provider", "ch.qos.logback.classic.spi.LogbackServiceProvider");
          System.getProperties().putIfAbsent("slf4j.internal.verbosity", "WARN");
          PythonWrapper.preload();
          return Training.run(Path.of("").toAbsolutePath());
        }
        default -> {
          // a usage error, below
        }
      }
    }
    String first = args[0];
    boolean scripts = first.equals("--create-cache") || first.equals("--print-command");
    boolean known = scripts || first.equals("--help") || first.equals("-h") || first.equals("--version")
        || first.equals("--train");
    String problem = known && args.length > 1 ? first + " takes no arguments"
        : scripts ? first + " is an option of the start script (bin/isp-python-wrapper), not of the jar"
        : (first.startsWith("-") ? "unknown option " : "unexpected argument ") + first;
    System.err.print("isp-python-wrapper: " + problem + "\n\n" + USAGE);
    return EXIT_USAGE;
  }
}
