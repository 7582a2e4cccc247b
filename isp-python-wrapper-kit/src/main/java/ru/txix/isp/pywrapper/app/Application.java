package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.config.ConfigPaths;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.LocalConfigLoader;
import ru.txix.isp.pywrapper.config.RemoteConfigOverride;
import ru.txix.isp.pywrapper.config.RemoteConfigPipeline;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.cluster.ClusterClient;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.cluster.ClusterSettings;
import ru.txix.isp.pywrapper.cluster.ModuleDeclaration;
import ru.txix.isp.pywrapper.config.JsonFiles;
import ru.txix.isp.pywrapper.config.LogLevelCheck;
import ru.txix.isp.pywrapper.http.HealthChecks;
import ru.txix.isp.pywrapper.http.HealthRegistry;
import ru.txix.isp.pywrapper.http.InfraHttpServer;
import ru.txix.isp.pywrapper.http.SupervisorJson;
import ru.txix.isp.pywrapper.http.SupervisorMetrics;
import ru.txix.isp.pywrapper.config.RemoteConfigValidator;
import ru.txix.isp.pywrapper.internal.LibraryVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import ru.txix.isp.pywrapper.supervisor.LaunchSpec;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;

/**
 * The host process: reads the local config, starts the components in order, waits for SIGTERM/SIGINT, stops
 * them in reverse order (the Python child first), and says how the process should exit.
 *
 * <p>Exit codes: {@value #EXIT_OK} after a graceful shutdown; {@value #EXIT_ERROR} for a start-up error
 * (one log line names the file and the problem; no child is started) and after a second shutdown signal.
 */
public final class Application {
  public static final int EXIT_OK = 0;
  public static final int EXIT_ERROR = 1;

  private static final Logger log = LoggerFactory.getLogger(Application.class);
  private static final Duration OFFLINE_POLL = Duration.ofSeconds(1);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final AppSpec spec;
  private final ClusterListener clusterListener;
  private final RemoteConfigStatus remoteConfigStatus = new RemoteConfigStatus(Clock.systemUTC());
  private final CompletableFuture<String> shutdownRequested = new CompletableFuture<>();
  private volatile PySupervisor supervisor;
  private volatile ClusterClient cluster;

  public Application(AppSpec spec) {
    this(spec, new ClusterListener() { });
  }

  public Application(AppSpec spec, ClusterListener clusterListener) {
    this.spec = spec;
    this.clusterListener = clusterListener;
  }

  /** Runs until shut down; returns the exit code. */
  public int run() {
    Modes modes = Modes.from(spec.environment());
    Path root = spec.workingDirectory().toAbsolutePath().normalize();
    Path localPath = ConfigPaths.localConfig(spec.environment(), root, modes.dev());
    String localName = display(root, localPath);
    LocalConfig local;
    RemoteConfigPipeline pipeline;
    ConfigPaths paths;
    String defaultConfig = null;
    try {
      local = LocalConfigLoader.load(localPath, localName, spec.environment(), !modes.offline(),
          spec.pythonDefaults());
      pipeline = new RemoteConfigPipeline(
          RemoteConfigOverride.parse(local.remoteConfigOverride(), localName + ": remoteConfigOverride"),
          RemoteConfigValidator.all(new LogLevelCheck(), spec.validator()));
      paths = ConfigPaths.resolve(spec.environment(), root, local);
      checkEndpoints();
      checkProject(paths);
      if (!modes.offline()) {
        defaultConfig = readJsonObject(paths.defaultRemoteConfig(), paths.display(paths.defaultRemoteConfig()),
            "cluster mode sends it to the config service as the module's default config");
      }
    } catch (ConfigException e) {
      log.error(e.getMessage());
      return EXIT_ERROR;
    }
    LocalConfig.PythonSettings python = local.python();
    SupervisorSettings settings = SupervisorSettings.DEFAULTS
        .withRestartDelay(python.restartDelay())
        .withStartRetryDelay(python.startRetryDelay())
        .withStopTimeout(python.stopTimeout())
        .withConfigRestartInterval(python.configRestartInterval());
    PySupervisor supervisor = PySupervisor.builder()
        .settings(settings)
        .command(new LaunchSpec(python.uv(), python.uvArgs(), paths.script(), root, spec.environment()))
        .bindingAddress(local.grpcInnerAddress())
        .configFile(paths.configFile())
        .build();
    this.supervisor = supervisor;
    RemoteConfigApplier applier = new RemoteConfigApplier(pipeline, supervisor, remoteConfigStatus,
        modes.dev() ? "debug" : "info");
    boolean clusterMode = !modes.offline();
    SupervisorMetrics metrics = new SupervisorMetrics(supervisor::snapshot, remoteConfigStatus, this::sessionActive,
        clusterMode);
    supervisor.addListener(metrics.supervisorListener());
    HealthRegistry health = new HealthRegistry(Clock.systemUTC());
    if (clusterMode) {
      health.register(HealthChecks.CONFIG_SERVICE_CONNECTION, HealthChecks.configServiceConnection(this::sessionActive));
    }
    health.register(HealthChecks.REMOTE_CONFIG, HealthChecks.remoteConfig(remoteConfigStatus));
    health.register(HealthChecks.PYTHON_PROCESS, HealthChecks.pythonProcess(supervisor::snapshot,
        local.grpcInnerAddress()));
    InfraHttpServer infra;
    try {
      infra = InfraHttpServer.start(local.infraServerPort(), health, local.healthcheckHandlerTimeout(),
          metrics.registry(), SupervisorJson.of(supervisor, remoteConfigStatus, clusterMode, this::sessionActive));
    } catch (ConfigException e) {
      log.error(localName + ": " + e.getMessage());
      stopSupervisor(supervisor, settings);
      return EXIT_ERROR;
    }

    ShutdownSignals.install(shutdownRequested::complete, this::shutdownNow);
    Thread hook = new Thread(() -> stopSupervisor(supervisor, settings), "shutdown-hook");
    Runtime.getRuntime().addShutdownHook(hook);
    log.atInfo().addKeyValue("module", local.moduleName()).addKeyValue("version", spec.version())
        .addKeyValue("mode", modes.offline() ? "offline" : "cluster")
        .addKeyValue("bindingAddress", local.grpcInnerAddress().toString())
        .addKeyValue("configFile", paths.configFile().toString())
        .log("starting python wrapper");
    checkUv(python.uv(), root);

    AutoCloseable configSource;
    if (modes.offline()) {
      String offlineName = paths.display(paths.offlineRemoteConfig());
      OfflineConfigSource source = new OfflineConfigSource(paths.offlineRemoteConfig(), offlineName,
          raw -> applier.configReceived(offlineName, new String(raw, StandardCharsets.UTF_8)), OFFLINE_POLL);
      try {
        source.start();
      } catch (ConfigException e) {
        log.error(e.getMessage());
        stopSupervisor(supervisor, settings);
        infra.close();
        return EXIT_ERROR;
      }
      configSource = source;
    } else {
      ClusterClient client = new ClusterClient(local.configServiceAddress(),
          declaration(local, defaultConfig), applier, both(clusterListener, metrics.clusterListener()),
          clusterSettings(local));
      client.start();
      this.cluster = client;
      configSource = client;
    }

    String signal = shutdownRequested.join();
    log.atInfo().addKeyValue("signal", signal).log("starting shutdown");
    if (configSource instanceof OfflineConfigSource offline) {
      offline.close();
    }
    stopSupervisor(supervisor, settings);
    closeQuietly(configSource);
    infra.close();
    log.info("shutdown completed");
    removeHook(hook);
    return EXIT_OK;
  }

  /** True while a config-service session is active (always false in offline mode). */
  public boolean sessionActive() {
    ClusterClient client = cluster;
    return client != null && client.sessionActive();
  }

  private ModuleDeclaration declaration(LocalConfig local, String defaultConfig) {
    LocalConfig.MetricsAutodiscovery metrics = local.metricsAutodiscovery();
    return new ModuleDeclaration(local.moduleName(), spec.version(), LibraryVersion.get(), spec.endpoints(),
        spec.requiredModules(), local.grpcOuterAddress().ip(), local.grpcOuterAddress().port(),
        metrics.enable() ? new ModuleDeclaration.Metrics(metrics.address(), local.infraServerPort(),
            metrics.additionalLabels()) : null,
        spec.schema(), defaultConfig);
  }

  private static ClusterSettings clusterSettings(LocalConfig local) {
    return ClusterSettings.DEFAULTS
        .withConfigTimeout(Duration.ofSeconds(5).plus(local.remoteConfigReceiverTimeout()))
        .withReadinessTimeout(local.python().readinessTimeout());
  }

  /** The Python project must be there: the entry file, {@code pyproject.toml} and {@code uv.lock}. */
  private static void checkProject(ConfigPaths paths) {
    Path root = paths.workingDirectory();
    Path script = root.resolve(paths.script());
    if (!Files.isRegularFile(script)) {
      throw new ConfigException(paths.display(script) + ": file not found in " + root
          + " (the entry file of the Python service; APP_PYTHON_PATH names another)");
    }
    for (String name : new String[] {"pyproject.toml", "uv.lock"}) {
      if (!Files.isRegularFile(root.resolve(name))) {
        throw new ConfigException(name + ": file not found in " + root + " (the Python project's root must hold "
            + "main.py, pyproject.toml and uv.lock; create the lock with `uv lock`)");
      }
    }
  }

  private static ClusterListener both(ClusterListener first, ClusterListener second) {
    return new ClusterListener() {
      @Override
      public void sessionStarting(String host, String sessionId) {
        first.sessionStarting(host, sessionId);
        second.sessionStarting(host, sessionId);
      }

      @Override
      public void sessionActive(String host, String sessionId) {
        first.sessionActive(host, sessionId);
        second.sessionActive(host, sessionId);
      }

      @Override
      public void sessionEnded(String host, String sessionId, String reason, boolean normal) {
        first.sessionEnded(host, sessionId, reason, normal);
        second.sessionEnded(host, sessionId, reason, normal);
      }
    };
  }

  private void checkEndpoints() {
    for (Endpoint endpoint : spec.endpoints()) {
      if (endpoint.httpMethod() == null || endpoint.httpMethod().isBlank()) {
        throw new ConfigException("endpoint " + endpoint.path() + ": httpMethod is required (the module's "
            + "transport is http)");
      }
    }
  }

  /** Reads a file that must hold a JSON object; {@code why} says what it is for. */
  private static String readJsonObject(Path file, String name, String why) {
    JsonNode node = JsonFiles.readObject(file, name, "expected a JSON object").orElseThrow(
        () -> new ConfigException(name + ": file not found (" + file + "); " + why));
    return JSON.writeValueAsString(node);
  }

  private static String display(Path root, Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return absolute.startsWith(root) ? root.relativize(absolute).toString() : absolute.toString();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.atWarn().setCause(e).log("close failed");
    }
  }

  /**
   * Logs which uv will run the child (or warns that none is found — the supervisor then reports and retries).
   * Also the first process spawn of the JVM, which is slow; the first real start no longer pays for it.
   */
  private void checkUv(String uv, Path root) {
    try {
      Path output = Files.createTempFile("uv-version", ".txt");
      Process process = new ProcessBuilder(uv, "--version").directory(root.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      boolean done = process.waitFor(10, TimeUnit.SECONDS);
      if (!done) {
        process.destroyForcibly();
      }
      String version = Files.readString(output).strip();
      Files.deleteIfExists(output);
      if (done && process.exitValue() == 0) {
        log.atInfo().addKeyValue("uv", version).log("uv found");
        return;
      }
      log.atWarn().addKeyValue("uv", uv).log("`" + uv + " --version` failed: " + version);
    } catch (java.io.IOException e) {
      log.atWarn().addKeyValue("uv", uv).log("uv not found on PATH: " + e.getMessage()
          + "; the python service cannot start until it is installed (python3 -m pip install uv)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void shutdownNow(String signal) {
    log.atWarn().addKeyValue("signal", signal).log("second signal during shutdown: killing the python process "
        + "group without grace and exiting with " + EXIT_ERROR);
    PySupervisor current = supervisor;
    if (current != null) {
      current.emergencyKill();
      try {
        current.stoppedFuture().get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
    }
    LogbackDefaults.flush();
    Runtime.getRuntime().halt(EXIT_ERROR);
  }

  private static void stopSupervisor(PySupervisor supervisor, SupervisorSettings settings) {
    try {
      supervisor.stopAsync().get(settings.stopTimeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.atError().setCause(e).log("the python process did not stop in time");
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }
}
