package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.config.ConfigPaths;
import ru.txix.isp.pywrapper.config.JsonFiles;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.LocalConfigLoader;
import ru.txix.isp.pywrapper.config.RemoteConfigContract;
import ru.txix.isp.pywrapper.config.RemoteConfigDeclaration;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;
import ru.txix.isp.pywrapper.supervisor.ConfigFile;
import tools.jackson.databind.JsonNode;

/**
 * Everything the host reads and checks before anything starts; every problem is collected, not just the first.
 */
final class Setup {
  final Modes modes;
  final Path root;
  final LocalConfig local;
  final ConfigPaths paths;
  final RemoteConfigContract contract;
  final JsonNode defaultConfig;
  /** What was accepted but deserves a line (keys ignored), one line each. */
  final List<String> warnings;

  private Setup(Modes modes, Path root, LocalConfig local, ConfigPaths paths, RemoteConfigContract contract,
                JsonNode defaultConfig, List<String> warnings) {
    this.modes = modes;
    this.root = root;
    this.local = local;
    this.paths = paths;
    this.contract = contract;
    this.defaultConfig = defaultConfig;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads and checks everything.
   *
   * @throws ConfigException every problem found, one line each
   */
  static Setup read(AppSpec spec) {
    Modes modes = Modes.from(spec.environment());
    Path root = spec.workingDirectory().toAbsolutePath().normalize();
    List<String> problems = new ArrayList<>();
    Path localPath = ConfigPaths.localConfig(spec.environment(), root, modes.dev());
    String localName = display(root, localPath);
    // The remote-config contract (a schema file checked against its meta-schema, or a type's schema) is the
    // slowest step by far: it runs on a thread of its own meanwhile, and its problems keep their place.
    CompletableFuture<Outcome<RemoteConfigContract>> contractRead = CompletableFuture.supplyAsync(
        () -> Outcome.of(() -> RemoteConfigContract.resolve(spec.remoteConfig(), root,
            schemaName(root, spec.remoteConfig()))),
        spec.remoteConfig() instanceof RemoteConfigDeclaration.AnyObject ? Runnable::run : Setup::onOwnThread);

    LocalConfigLoader.Loaded loaded = collect(problems, () -> LocalConfigLoader.read(localPath, localName,
        spec.environment(), !modes.offline(), spec.options()));
    LocalConfig local = loaded == null ? null : loaded.config();
    if (loaded != null) {
      problems.addAll(loaded.problems());
    }
    problems.addAll(spec.declarationProblems());
    ConfigPaths paths = loaded == null ? null : ConfigPaths.resolve(spec.environment(), root,
        loaded.defaultRemoteConfigPath(), loaded.remoteConfigPath());
    collect(problems, () -> checkEndpoints(spec.endpoints()));
    collect(problems, () -> checkProject(root, ConfigPaths.script(spec.environment())));
    RemoteConfigContract contract = contractRead.join().into(problems);
    JsonNode defaultConfig = null;
    if (paths != null && !modes.offline()) {
      defaultConfig = collect(problems, () -> readDefaultConfig(paths));
    }
    if (paths != null && modes.offline() && !Files.exists(paths.offlineRemoteConfig())) {
      problems.add(paths.display(paths.offlineRemoteConfig()) + ": file not found (" + paths.offlineRemoteConfig()
          + "); offline mode reads the remote config from it (key remoteConfigPath sets another file)");
    }
    if (local != null) {
      collect(problems, () -> checkInfraPort(local, localName));
      collect(problems, () -> checkNative(local, localName));
    }
    if (paths != null) {
      new ConfigFile(paths.configFile()).foreignProblem(paths.display(paths.configFile())).ifPresent(problems::add);
    }
    if (problems.isEmpty()) {
      collect(problems, () -> prepareHostFolder(paths));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Setup(modes, root, local, paths, contract, defaultConfig, loaded.warnings());
  }

  /**
   * The host's folder, where the child's config lives by default: created with a {@code .gitignore} that keeps
   * it out of the project's repository (as {@code .pytest_cache} does).
   */
  private static Void prepareHostFolder(ConfigPaths paths) {
    Path folder = paths.hostFolder();
    if (!paths.configFile().startsWith(folder) || Files.isDirectory(folder)) {
      return null;
    }
    try {
      Files.createDirectories(folder);
      Files.writeString(folder.resolve(".gitignore"), "# isp-python-wrapper's own files (the Python service's "
          + "config, CONFIG_FILE): not for the repository\n*\n");
    } catch (IOException e) {
      throw new ConfigException(paths.display(folder) + ": cannot create the host's folder for the Python "
          + "service's config: " + e + " (set APP_PYTHON_CONFIG_PATH to a file in a writable folder)");
    }
    return null;
  }

  /** {@code python.socket: inherit} and {@code python.readiness: notify} need the native layer (Linux). */
  private static Void checkNative(LocalConfig local, String localName) {
    LocalConfig.PythonSettings python = local.python();
    if ((python.inheritSocket() || python.notifyReadiness()) && !NativeSpawn.available()) {
      throw new ConfigException(localName + ": " + (python.inheritSocket() ? "python.socket: inherit" :
          "python.readiness: notify") + " needs Linux with glibc 2.29 or later: " + NativeSpawn.unavailableBecause());
    }
    return null;
  }

  /** A step's value, or its problems. */
  private record Outcome<T>(T value, List<String> problems) {
    static <T> Outcome<T> of(Supplier<T> step) {
      try {
        return new Outcome<>(step.get(), List.of());
      } catch (ConfigException e) {
        return new Outcome<>(null, e.problems());
      }
    }

    /** Adds the problems to {@code all}; returns the value (null if there were problems). */
    T into(List<String> all) {
      all.addAll(problems);
      return value;
    }
  }

  private static void onOwnThread(Runnable task) {
    Thread thread = new Thread(task, "remote-config-check");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code step}; its problems are added to {@code problems} and null returned. */
  private static <T> T collect(List<String> problems, Supplier<T> step) {
    try {
      return step.get();
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return null;
    }
  }

  private static Void checkEndpoints(List<Endpoint> endpoints) {
    for (Endpoint endpoint : endpoints) {
      if (endpoint.httpMethod() == null || endpoint.httpMethod().isBlank()) {
        throw new ConfigException("endpoint " + endpoint.path() + ": httpMethod is required (the module's "
            + "transport is http)");
      }
    }
    return null;
  }

  /** The Python project must be there: the entry file, {@code pyproject.toml} and {@code uv.lock}. */
  private static Void checkProject(Path root, String script) {
    List<String> problems = new ArrayList<>();
    Path entry = root.resolve(script);
    if (!Files.isRegularFile(entry)) {
      problems.add(display(root, entry) + ": file not found in " + root
          + " (the entry file of the Python service; APP_PYTHON_PATH names another)");
    }
    for (String name : new String[] {"pyproject.toml", "uv.lock"}) {
      if (!Files.isRegularFile(root.resolve(name))) {
        problems.add(name + ": file not found in " + root + " (the Python project's root must hold "
            + "main.py, pyproject.toml and uv.lock; create the lock with `uv lock`)");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return null;
  }

  /** The default remote config, read once (it must hold a JSON object; its numbers are kept as written). */
  private static JsonNode readDefaultConfig(ConfigPaths paths) {
    Path file = paths.defaultRemoteConfig();
    String name = paths.display(file);
    return JsonFiles.readObject(file, name, "expected a JSON object").orElseThrow(
        () -> new ConfigException(name + ": file not found (" + file + "); cluster mode sends it to the config "
            + "service as the module's default config"));
  }

  /** The infra server's port must be free; a busy one is a start-up error, found before the child starts. */
  private static Void checkInfraPort(LocalConfig local, String localName) {
    int port = local.infraServerPort();
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new ConfigException(local.infraServerPortSet()
          ? localName + ": infraServerPort " + port + ": cannot listen: " + e.getMessage()
            + " (set infraServerPort to a free port)"
          : "infra server port " + port + " (grpcInnerAddress.port + 1): cannot listen: " + e.getMessage()
            + " (set infraServerPort in " + localName + " to a free port)");
    }
    return null;
  }

  private static String schemaName(Path root, RemoteConfigDeclaration declaration) {
    return declaration instanceof RemoteConfigDeclaration.SchemaFile file
        ? display(root, root.resolve(file.file())) : "remote config schema";
  }

  private static String display(Path root, Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return absolute.startsWith(root) ? root.relativize(absolute).toString() : absolute.toString();
  }
}
