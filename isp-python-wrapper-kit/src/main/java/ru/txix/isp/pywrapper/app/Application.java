package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.cluster.ClusterSettings;
import ru.txix.isp.pywrapper.cluster.ModuleDeclaration;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.RemoteConfigIntake;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.http.HealthRegistry;
import ru.txix.isp.pywrapper.http.InfraHttpServer;
import ru.txix.isp.pywrapper.internal.LibraryVersion;
import ru.txix.isp.pywrapper.internal.posix.NativeHeap;
import ru.txix.isp.pywrapper.internal.posix.Subreaper;
import ru.txix.isp.pywrapper.supervisor.LaunchSpec;
import ru.txix.isp.pywrapper.supervisor.ListeningReadinessProbe;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;
import ru.txix.isp.pywrapper.supervisor.PySupervisorBuilder;
import ru.txix.isp.pywrapper.supervisor.SupervisorListener;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;

/**
 * The host process: reads and checks everything it needs, then runs its components — the host's own part (the
 * child subreaper, systemd's watchdog), the Python supervisor, the config source (the offline file or the
 * config-service session), the infra HTTP server — started in that order and stopped in reverse
 * ({@link Lifecycle}), until SIGTERM or SIGINT.
 *
 * <p>Exit codes: {@value #EXIT_OK} after a graceful shutdown; {@value #EXIT_ERROR} for start-up errors (every
 * problem found is logged, one line each, and no child is started) and after a second shutdown signal.
 */
public final class Application {
  public static final int EXIT_OK = Lifecycle.EXIT_OK;
  public static final int EXIT_ERROR = Lifecycle.EXIT_ERROR;

  private static final Duration OFFLINE_POLL = Duration.ofMillis(250);
  private static final Duration INFRA_AFTER_SPAWN_AT_MOST = Duration.ofSeconds(1);
  private static final Duration NATIVE_HEAP_TRIM_FIRST = Duration.ofSeconds(10);
  private static final Duration NATIVE_HEAP_TRIM_EVERY = Duration.ofMinutes(5);
  /** How often the waiting main thread looks for exited orphans to reap (one system call when there are none). */
  private static final Duration ORPHANS_EVERY = Duration.ofSeconds(1);

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

  private static final Logger log = LoggerFactory.getLogger(Application.class);

  /** Runs until shut down; returns the exit code. */
  public int run() {
    Setup setup;
    try {
      setup = Setup.read(spec);
    } catch (ConfigException e) {
      Warmup.awaitLogging();
      e.problems().forEach(log::error);
      return EXIT_ERROR;
    } catch (RuntimeException e) {
      Warmup.awaitLogging();
      log.atError().setCause(e).log("the start-up failed: " + e);
      return EXIT_ERROR;
    }
    Warmup.awaitLogging(); // Setup logs nothing: logging may be initialized meanwhile
    setup.warnings.forEach(log::warn);
    Host host = new Host(setup);
    // Once the start-up is over, and now and then after: the C heap's free pages back to the OS.
    Lifecycle lifecycle = new Lifecycle(host.components())
        .whileWaiting(NATIVE_HEAP_TRIM_FIRST, NATIVE_HEAP_TRIM_EVERY, NativeHeap::trim)
        .whileWaiting(ORPHANS_EVERY, ORPHANS_EVERY, Application::reapOrphans);
    host.supervisor.addListener(new SupervisorListener() {
      @Override
      public void gaveUp(String reason) {
        host.end(lifecycle, Lifecycle.Ending.fatal(reason));
      }
    });
    ShutdownSignals.install(name -> {
      if (setup.modes.offline()) {
        // No session to close first (in cluster mode the module leaves the platform's routing before its
        // child stops): the child's SIGTERM goes out now, its own exit being the long part of a stop — before
        // the line about it is logged and the components' stop begins, which would compete for the CPU. The
        // supervisor ignores configs from here on; the components still stop in reverse order.
        host.supervisor.stopAsync();
      }
      host.end(lifecycle, Lifecycle.Ending.signal(name));
    }, name -> host.emergency(name, lifecycle));
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

  /** The components and what they share. */
  private final class Host {
    private final Setup setup;
    private final RemoteConfigStatus status = new RemoteConfigStatus(Clock.systemUTC());
    private final PySupervisor supervisor;
    private final ConfigSource source;
    private final SupervisorMetrics metrics;
    private final SupervisorSettings settings;
    /** Completed at the first spawn attempt (done or failed): the infra server starts after it. */
    private final CompletableFuture<Void> firstSpawn = new CompletableFuture<>();
    private final HostProbes probes;
    /** Present when systemd runs the host as a Type=notify service. */
    private final Optional<SystemdNotifier> systemd;

    Host(Setup setup) {
      this.setup = setup;
      LocalConfig.PythonSettings python = setup.local.python();
      this.settings = supervisorSettings(python.supervisor());
      PySupervisorBuilder builder = PySupervisor.builder()
          .settings(settings)
          .command(new LaunchSpec(python.uv(), python.uvArgs(), setup.paths.script(), setup.root,
              SystemdNotifier.childEnvironment(LogFormat.childEnvironment(spec.environment()))))
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
      this.probes = new HostProbes(supervisor::snapshot, setup.local.grpcInnerAddress().connectAddress(),
          ListeningReadinessProbe::accepts);
      this.systemd = SystemdNotifier.from(spec.environment(), ProcessHandle.current().pid(), probes::liveness);
      systemd.ifPresent(supervisor::addListener);
      supervisor.addListener(new SupervisorListener() {
        @Override
        public void processStarted(long pid, long pgid) {
          firstSpawn.complete(null);
        }

        @Override
        public void startFailed(String message) {
          firstSpawn.complete(null);
        }
      });
      String defaultLevel = setup.modes.dev() ? "debug" : "info";
      RemoteConfigIntake intake = new RemoteConfigIntake(setup.local.remoteConfigOverride(), setup.contract.validator(),
          setup.contract.keyCase(), status, (config, level) -> {
            LogLevels.parse(level.orElse(defaultLevel)).ifPresent(LogLevels::apply);
            supervisor.configReceived(config);
          });
      boolean cluster = !setup.modes.offline();
      this.metrics = new SupervisorMetrics(supervisor::snapshot, status, this::sessionActive, cluster);
      supervisor.addListener(metrics.supervisorListener());
      if (cluster) {
        this.source = new ClusterConfigSource(setup.local.configServiceAddress(), this::declaration, intake,
            supervisor, both(clusterListener, metrics.clusterListener()), clusterSettings(setup.local));
      } else {
        this.source = new OfflineConfigSource(setup.paths.offlineRemoteConfig(),
            setup.paths.display(setup.paths.offlineRemoteConfig()), intake, OFFLINE_POLL);
      }
    }

    List<Component> components() {
      return List.of(hostComponent(), supervisorComponent(), source, infraComponent());
    }

    /** The run ends ({@code why}): the probes and systemd learn it first, then the lifecycle. */
    void end(Lifecycle lifecycle, Lifecycle.Ending why) {
      probes.ending(why);
      systemd.ifPresent(notifier -> notifier.stopping(why.reason()));
      lifecycle.end(why);
    }

    /**
     * What the host does for itself: it becomes the child subreaper of what it starts (orphans of the child are
     * reaped by {@link #reapOrphans()}), and feeds systemd's watchdog when asked to.
     */
    private Component hostComponent() {
      return new Component() {
        @Override
        public String name() {
          return "host";
        }

        @Override
        public void start() {
          if (!Subreaper.enable()) {
            log.atDebug().log("not the child subreaper (not Linux, or no native layer): orphans go to init");
          }
          systemd.ifPresent(SystemdNotifier::start);
        }

        @Override
        public void stop() {
          systemd.ifPresent(SystemdNotifier::close);
          reapOrphans();
          Subreaper.disable();
        }
      };
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
          if (setup.modes.offline()) {
            // The config is in the supervisor's hands already: let the child be spawned first, without the
            // server's set-up competing for the CPU. (In cluster mode the server starts at once: the first
            // config may be a while.)
            try {
              firstSpawn.get(INFRA_AFTER_SPAWN_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
              // start anyway
            }
          }
          LocalConfig local = setup.local;
          HealthRegistry health = new HealthRegistry(Clock.systemUTC());
          if (!setup.modes.offline()) {
            health.register(HealthChecks.CONFIG_SERVICE_CONNECTION,
                HealthChecks.configServiceConnection(source::inactiveReason));
          }
          health.register(HealthChecks.REMOTE_CONFIG, HealthChecks.remoteConfig(status));
          health.register(HealthChecks.PYTHON_PROCESS, HealthChecks.pythonProcess(supervisor::snapshot,
              local.grpcInnerAddress()));
          int port = local.infraServerPort();
          try {
            server = InfraHttpServer.start(port, health, local.healthcheckHandlerTimeout(), probes::liveness,
                probes::readiness, metrics::registry,
                SupervisorJson.of(supervisor, status, !setup.modes.offline(), Host.this::sessionActive));
          } catch (BindException e) {
            throw new ConfigException("infraServerPort " + port + ": cannot listen: " + e.getMessage()
                + " (set infraServerPort to a free port)", e);
          } catch (IOException e) {
            throw new ConfigException("infraServerPort " + port + ": cannot listen: " + e, e);
          }
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
      return new ModuleDeclaration(local.moduleName(), spec.version(), LibraryVersion.tag(), spec.endpoints(),
          spec.requiredModules(), local.grpcOuterAddress().ip(), local.grpcOuterAddress().port(),
          metricsSettings.enable() ? new ModuleDeclaration.Metrics(metricsSettings.address(), local.infraServerPort(),
              metricsSettings.additionalLabels()) : null,
          setup.contract.schema(), setup.defaultConfig);
    }

    /**
     * A second signal: kill the child's group at once and exit {@value #EXIT_ERROR} without waiting — unless the
     * shutdown has completed meanwhile (its last line is written; the process exits anyway).
     */
    void emergency(String signal, Lifecycle lifecycle) {
      if (!lifecycle.forced(() -> log.atWarn().addKeyValue("signal", signal).log("second signal during shutdown: "
          + "killing the python process group without grace and exiting with " + EXIT_ERROR))) {
        return;
      }
      supervisor.emergencyKill();
      try {
        supervisor.stoppedFuture().get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
      Runtime.getRuntime().halt(lifecycle.finish(EXIT_ERROR, true));
    }
  }

  /** Reaps the orphans of the child that exited (the host is their subreaper); cheap when there are none. */
  private static void reapOrphans() {
    if (!Subreaper.anyExited()) {
      return;
    }
    for (Subreaper.Reaped orphan : Subreaper.reapOrphans()) {
      log.atDebug().addKeyValue("pid", orphan.pid()).addKeyValue("exitCode", orphan.exitCode())
          .log("reaped an orphaned process of the python service");
    }
  }

  /** The supervisor's settings: its defaults, with what {@code python.*} (or the options) set over them. */
  static SupervisorSettings supervisorSettings(LocalConfig.SupervisorKeys keys) {
    SupervisorSettings defaults = SupervisorSettings.DEFAULTS;
    SupervisorSettings.Liveness liveness = defaults.liveness();
    LocalConfig.Liveness given = keys.liveness();
    return defaults.toBuilder()
        .restartDelay(keys.restartDelay().orElse(defaults.restartDelay()))
        .restartDelayMax(keys.restartDelayMax().orElse(defaults.restartDelayMax()))
        .backoffResetAfter(keys.backoffResetAfter().orElse(defaults.backoffResetAfter()))
        .maxRestarts(keys.maxRestarts().orElse(defaults.maxRestarts()))
        .startRetryDelay(keys.startRetryDelay().orElse(defaults.startRetryDelay()))
        .stopTimeout(keys.stopTimeout().orElse(defaults.stopTimeout()))
        .configRestartInterval(keys.configRestartInterval().orElse(defaults.configRestartInterval()))
        .startTimeout(keys.startTimeout().orElse(defaults.startTimeout()))
        .startTimeoutAction(keys.restartOnStartTimeout().map(restart -> restart
            ? SupervisorSettings.StartTimeoutAction.RESTART : SupervisorSettings.StartTimeoutAction.WARN)
            .orElse(defaults.startTimeoutAction()))
        .liveness(new SupervisorSettings.Liveness(given.path().orElse(liveness.path()),
            given.period().orElse(liveness.period()), given.timeout().orElse(liveness.timeout()),
            given.failureThreshold().orElse(liveness.failureThreshold())))
        .build();
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
