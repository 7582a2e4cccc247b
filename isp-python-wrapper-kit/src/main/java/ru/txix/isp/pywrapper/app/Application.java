package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.cluster.ClusterSettings;
import ru.txix.isp.pywrapper.cluster.ModuleDeclaration;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.config.ConfigPaths;
import ru.txix.isp.pywrapper.config.JsonFiles;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.LocalConfigLoader;
import ru.txix.isp.pywrapper.config.RemoteConfigContract;
import ru.txix.isp.pywrapper.config.RemoteConfigDeclaration;
import ru.txix.isp.pywrapper.config.RemoteConfigIntake;
import ru.txix.isp.pywrapper.config.RemoteConfigOverride;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.http.HealthChecks;
import ru.txix.isp.pywrapper.http.HealthRegistry;
import ru.txix.isp.pywrapper.http.InfraHttpServer;
import ru.txix.isp.pywrapper.http.SupervisorJson;
import ru.txix.isp.pywrapper.http.SupervisorMetrics;
import ru.txix.isp.pywrapper.internal.LibraryVersion;
import ru.txix.isp.pywrapper.supervisor.LaunchSpec;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;
import ru.txix.isp.pywrapper.supervisor.PySupervisorBuilder;
import ru.txix.isp.pywrapper.supervisor.SupervisorListener;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;

/**
 * The host process: reads and checks everything it needs, then runs its components — the Python supervisor,
 * the config source (the offline file or the config-service session), the infra HTTP server — started in that
 * order and stopped in reverse ({@link Lifecycle}), until SIGTERM or SIGINT.
 *
 * <p>Exit codes: {@value #EXIT_OK} after a graceful shutdown; {@value #EXIT_ERROR} for start-up errors (every
 * problem found is logged, one line each, and no child is started) and after a second shutdown signal.
 */
public final class Application {
  public static final int EXIT_OK = Lifecycle.EXIT_OK;
  public static final int EXIT_ERROR = Lifecycle.EXIT_ERROR;

  private static final Logger log = LoggerFactory.getLogger(Application.class);
  private static final Duration OFFLINE_POLL = Duration.ofSeconds(1);

  private final AppSpec spec;
  private final ClusterListener clusterListener;

  public Application(AppSpec spec) {
    this(spec, new ClusterListener() { });
  }

  /** For testing: {@code clusterListener} hears the config-service session too. */
  public Application(AppSpec spec, ClusterListener clusterListener) {
    this.spec = spec;
    this.clusterListener = clusterListener;
  }

  /** Runs until shut down; returns the exit code. */
  public int run() {
    Setup setup;
    try {
      setup = Setup.read(spec);
    } catch (ConfigException e) {
      e.problems().forEach(log::error);
      return EXIT_ERROR;
    }
    Host host = new Host(setup);
    Lifecycle lifecycle = new Lifecycle(host.components());
    host.supervisor.addListener(new SupervisorListener() {
      @Override
      public void gaveUp(String reason) {
        lifecycle.end(Lifecycle.Ending.fatal(reason));
      }
    });
    ShutdownSignals.install(name -> lifecycle.end(Lifecycle.Ending.signal(name)),
        name -> host.emergency(name, lifecycle));
    Thread hook = new Thread(lifecycle::stopStarted, "shutdown-hook");
    Runtime.getRuntime().addShutdownHook(hook);
    log.atInfo().addKeyValue("module", setup.local.moduleName()).addKeyValue("version", spec.version())
        .addKeyValue("mode", setup.modes.offline() ? "offline" : "cluster")
        .addKeyValue("bindingAddress", setup.local.grpcInnerAddress().toString())
        .addKeyValue("configFile", setup.paths.configFile().toString())
        .log("starting python wrapper");
    int code = lifecycle.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    return code;
  }

  /** Everything read and checked before anything starts; every problem is collected, not just the first. */
  private static final class Setup {
    final Modes modes;
    final Path root;
    final LocalConfig local;
    final ConfigPaths paths;
    final RemoteConfigContract contract;
    final RemoteConfigOverride override;
    final String defaultConfig;
    /** {@code python.socket: inherit}: the listening socket the host holds for its children, else null. */
    final InheritedSocket socket;

    private Setup(Modes modes, Path root, LocalConfig local, ConfigPaths paths, RemoteConfigContract contract,
                  RemoteConfigOverride override, String defaultConfig, InheritedSocket socket) {
      this.modes = modes;
      this.root = root;
      this.local = local;
      this.paths = paths;
      this.contract = contract;
      this.override = override;
      this.defaultConfig = defaultConfig;
      this.socket = socket;
    }

    static Setup read(AppSpec spec) {
      Modes modes = Modes.from(spec.environment());
      Path root = spec.workingDirectory().toAbsolutePath().normalize();
      List<String> problems = new ArrayList<>();
      Path localPath = ConfigPaths.localConfig(spec.environment(), root, modes.dev());
      String localName = display(root, localPath);

      LocalConfigLoader.Loaded loaded = collect(problems, () -> LocalConfigLoader.read(localPath, localName,
          spec.environment(), !modes.offline(), spec.pythonDefaults()));
      LocalConfig local = loaded == null ? null : loaded.config();
      if (loaded != null) {
        problems.addAll(loaded.problems());
      }
      ConfigPaths paths = loaded == null ? null : ConfigPaths.resolve(spec.environment(), root,
          loaded.defaultRemoteConfigPath(), loaded.remoteConfigPath());
      collect(problems, () -> checkEndpoints(spec.endpoints()));
      collect(problems, () -> checkProject(root, ConfigPaths.script(spec.environment())));
      RemoteConfigContract contract = collect(problems, () -> RemoteConfigContract.resolve(spec.remoteConfig(),
          root, schemaName(root, spec.remoteConfig())));
      RemoteConfigOverride override = local == null ? null : collect(problems, () -> RemoteConfigOverride.parse(
          local.remoteConfigOverride(), localName + ": remoteConfigOverride"));
      String defaultConfig = null;
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
      InheritedSocket socket = null;
      if (problems.isEmpty() && local.python().inheritSocket()) {
        socket = collect(problems, () -> InheritedSocket.bind(local.grpcInnerAddress()));
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return new Setup(modes, root, local, paths, contract, override, defaultConfig, socket);
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

    /** The default remote config, as written in its file (it must hold a JSON object). */
    private static String readDefaultConfig(ConfigPaths paths) {
      Path file = paths.defaultRemoteConfig();
      String name = paths.display(file);
      return JsonFiles.readObjectText(file, name, "expected a JSON object").orElseThrow(
          () -> new ConfigException(name + ": file not found (" + file + "); cluster mode sends it to the config "
              + "service as the module's default config")).text();
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

  /** The components and what they share. */
  private final class Host {
    private final Setup setup;
    private final RemoteConfigStatus status = new RemoteConfigStatus(Clock.systemUTC());
    private final PySupervisor supervisor;
    private final ConfigSource source;
    private final SupervisorMetrics metrics;
    private final SupervisorSettings settings;

    Host(Setup setup) {
      this.setup = setup;
      LocalConfig.PythonSettings python = setup.local.python();
      this.settings = python.supervisor();
      PySupervisorBuilder builder = PySupervisor.builder()
          .settings(settings)
          .command(new LaunchSpec(python.uv(), python.uvArgs(), setup.paths.script(), setup.root,
              LogFormat.childEnvironment(spec.environment())))
          .bindingAddress(setup.local.grpcInnerAddress())
          .configFile(setup.paths.configFile());
      if (setup.socket != null) {
        builder.inheritedSocket(setup.socket.fd(), setup.socket.inode());
      }
      if (python.notifyReadiness()) {
        builder.readinessByNotification(Path.of(System.getProperty("java.io.tmpdir"),
            "pywrapper-" + ProcessHandle.current().pid()));
      }
      this.supervisor = builder.build();
      String defaultLevel = setup.modes.dev() ? "debug" : "info";
      RemoteConfigIntake intake = new RemoteConfigIntake(setup.override, setup.contract.validator(),
          setup.contract.keyCase(), status, (config, level) -> {
            LogLevels.parse(level.orElse(defaultLevel)).ifPresent(LogLevels::apply);
            supervisor.configReceived(config);
          });
      boolean cluster = !setup.modes.offline();
      this.metrics = new SupervisorMetrics(supervisor::snapshot, status, this::sessionActive, cluster);
      supervisor.addListener(metrics.supervisorListener());
      if (cluster) {
        this.source = new ClusterConfigSource(setup.local.configServiceAddress(), this::declaration, intake, status,
            supervisor, both(clusterListener, metrics.clusterListener()), clusterSettings(setup.local));
      } else {
        this.source = new OfflineConfigSource(setup.paths.offlineRemoteConfig(),
            setup.paths.display(setup.paths.offlineRemoteConfig()), intake, OFFLINE_POLL);
      }
    }

    List<Component> components() {
      return List.of(supervisorComponent(), source, infraComponent());
    }

    boolean sessionActive() {
      return source != null && source.sessionActive();
    }

    private Component supervisorComponent() {
      return new Component() {
        @Override
        public String name() {
          return "python supervisor";
        }

        @Override
        public void start() {
          // Ready as built: the first config starts the child.
        }

        @Override
        public void stop() {
          try {
            supervisor.stopAsync().get(settings.stopTimeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
          } catch (Exception e) {
            log.atError().setCause(e).log("the python process did not stop in time");
          }
          if (setup.socket != null) {
            setup.socket.close();
          }
        }
      };
    }

    private Component infraComponent() {
      return new Component() {
        private volatile InfraHttpServer server;

        @Override
        public String name() {
          return "infra server";
        }

        @Override
        public void start() {
          LocalConfig local = setup.local;
          HealthRegistry health = new HealthRegistry(Clock.systemUTC());
          if (!setup.modes.offline()) {
            health.register(HealthChecks.CONFIG_SERVICE_CONNECTION,
                HealthChecks.configServiceConnection(Host.this::sessionActive));
          }
          health.register(HealthChecks.REMOTE_CONFIG, HealthChecks.remoteConfig(status));
          health.register(HealthChecks.PYTHON_PROCESS, HealthChecks.pythonProcess(supervisor::snapshot,
              local.grpcInnerAddress()));
          server = InfraHttpServer.start(local.infraServerPort(), health, local.healthcheckHandlerTimeout(),
              metrics.registry(), SupervisorJson.of(supervisor, status, !setup.modes.offline(),
                  Host.this::sessionActive));
        }

        @Override
        public void stop() {
          InfraHttpServer current = server;
          if (current != null) {
            current.close();
          }
        }
      };
    }

    private ModuleDeclaration declaration() {
      LocalConfig local = setup.local;
      LocalConfig.MetricsAutodiscovery metricsSettings = local.metricsAutodiscovery();
      return new ModuleDeclaration(local.moduleName(), spec.version(), LibraryVersion.get(), spec.endpoints(),
          spec.requiredModules(), local.grpcOuterAddress().ip(), local.grpcOuterAddress().port(),
          metricsSettings.enable() ? new ModuleDeclaration.Metrics(metricsSettings.address(), local.infraServerPort(),
              metricsSettings.additionalLabels()) : null,
          setup.contract.schema(), setup.defaultConfig);
    }

    /** A second signal: kill the child's group at once and exit {@value #EXIT_ERROR} without waiting. */
    void emergency(String signal, Lifecycle lifecycle) {
      lifecycle.forced();
      log.atWarn().addKeyValue("signal", signal).log("second signal during shutdown: killing the python process "
          + "group without grace and exiting with " + EXIT_ERROR);
      supervisor.emergencyKill();
      try {
        supervisor.stoppedFuture().get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
      LogbackDefaults.flush();
      Runtime.getRuntime().halt(EXIT_ERROR);
    }
  }

  private static ClusterSettings clusterSettings(LocalConfig local) {
    return ClusterSettings.DEFAULTS
        .withConfigTimeout(Duration.ofSeconds(5).plus(local.remoteConfigReceiverTimeout()))
        .withReadinessTimeout(local.python().readinessTimeout());
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
}
