package ru.txix.isp.pywrapper.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.cluster.ClusterSettings;
import ru.txix.isp.pywrapper.cluster.ModuleDeclaration;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.RemoteConfigIntake;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.http.HealthRegistry;
import ru.txix.isp.pywrapper.internal.LibraryVersion;
import ru.txix.isp.pywrapper.internal.posix.Subreaper;
import ru.txix.isp.pywrapper.supervisor.LaunchSpec;
import ru.txix.isp.pywrapper.supervisor.ListeningReadinessProbe;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;
import ru.txix.isp.pywrapper.supervisor.PySupervisorBuilder;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;

/**
 * The host's components, built from what {@link Setup} read and wired together — the one place that knows every
 * package — and their order ({@link #components()}). Building starts nothing and binds nothing: a failure here
 * leaves nothing behind.
 */
final class Host {
  private static final Logger log = LoggerFactory.getLogger(Host.class);
  private static final Duration OFFLINE_POLL = Duration.ofMillis(250);

  private final AppSpec spec;
  private final Setup setup;
  private final RemoteConfigStatus status = new RemoteConfigStatus(Clock.systemUTC());
  final PySupervisor supervisor;
  private final SupervisorSettings settings;
  private final Optional<InheritedSocket> socket;
  private final ConfigSource source;
  private final SupervisorMetrics metrics;
  private final HostProbes probes;
  /** Present when systemd runs the host as a Type=notify service. */
  private final Optional<SystemdNotifier> systemd;

  /** {@code clusterListener} hears the config-service session too (for tests). */
  Host(AppSpec spec, Setup setup, ClusterListener clusterListener) {
    this.spec = spec;
    this.setup = setup;
    LocalConfig local = setup.local;
    LocalConfig.PythonSettings python = local.python();
    this.settings = supervisorSettings(python.supervisor());
    PySupervisorBuilder builder = PySupervisor.builder()
        .settings(settings)
        .command(new LaunchSpec(python.uv(), python.uvArgs(), setup.paths.script(), setup.root,
            SystemdNotifier.childEnvironment(LogFormat.childEnvironment(spec.environment()))))
        .bindingAddress(local.grpcInnerAddress())
        .configFile(setup.paths.configFile());
    if (python.notifyReadiness()) {
      builder.readinessByNotification(Path.of(System.getProperty("java.io.tmpdir"),
          "pywrapper-" + ProcessHandle.current().pid()));
    }
    // Before it binds, the socket has the supervisor (built next, started after it) reap a previous host's leftovers.
    this.socket = python.inheritSocket()
        ? Optional.of(new InheritedSocket(local.grpcInnerAddress(), this::reapLeftovers))
        : Optional.empty();
    socket.ifPresent(builder::inheritedSocket);
    this.supervisor = builder.build();
    this.probes = new HostProbes(supervisor::snapshot, local.grpcInnerAddress().connectAddress(),
        ListeningReadinessProbe::accepts);
    this.systemd = SystemdNotifier.from(spec.environment(), ProcessHandle.current().pid(), probes::liveness);
    systemd.ifPresent(supervisor::addListener);
    String defaultLevel = setup.modes.dev() ? "debug" : "info";
    RemoteConfigIntake intake = new RemoteConfigIntake(local.remoteConfigOverride(), setup.contract.validator(),
        setup.contract.keyCase(), status, (config, level) -> {
          LogLevels.parse(level.orElse(defaultLevel)).ifPresent(LogLevels::apply);
          supervisor.configReceived(config);
        });
    boolean cluster = !setup.modes.offline();
    this.metrics = new SupervisorMetrics(supervisor::snapshot, status, this::sessionActive, cluster);
    supervisor.addListener(metrics.supervisorListener());
    if (cluster) {
      this.source = new ClusterConfigSource(local.configServiceAddress(), this::declaration, intake, supervisor,
          both(clusterListener, metrics.clusterListener()), clusterSettings(local));
    } else {
      this.source = new OfflineConfigSource(setup.paths.offlineRemoteConfig(),
          setup.paths.display(setup.paths.offlineRemoteConfig()), intake, OFFLINE_POLL);
    }
  }

  /** The components in start order; they stop in reverse. See {@link #inOrder}. */
  List<Component> components() {
    return inOrder(setup.modes.offline(), hostComponent(), socket.map(Component.class::cast),
        new SupervisorComponent(supervisor, settings.stopTimeout()), source, infraServer());
  }

  /**
   * The order: the host's own part first (the subreaper, before any child exists), then the inherited socket (a
   * previous host's leftovers reaped, then bound: the children need it), then —
   *
   * <ul>
   *   <li>offline: the config source (it reads the file: a config for the supervisor), then the supervisor (its
   *       start spawns the child at once), then the infra server — the server's set-up does not compete with the
   *       spawn for the CPU;
   *   <li>cluster: the supervisor, then the config-service session (which feeds it; stopped first, the module
   *       leaves the platform's routing before its child stops), then the infra server.
   * </ul>
   */
  static List<Component> inOrder(boolean offline, Component host, Optional<Component> socket, Component supervisor,
                                 Component source, Component infra) {
    List<Component> order = new ArrayList<>();
    order.add(host);
    socket.ifPresent(order::add);
    order.addAll(offline ? List.of(source, supervisor) : List.of(supervisor, source));
    order.add(infra);
    return order;
  }

  /** The run ends ({@code why}): the probes and systemd learn it first, then the lifecycle. */
  void end(Lifecycle lifecycle, Lifecycle.Ending why) {
    probes.ending(why);
    systemd.ifPresent(notifier -> notifier.stopping(why.reason()));
    lifecycle.end(why);
  }

  /**
   * A second signal: kill the child's group at once and exit {@value Lifecycle#EXIT_ERROR} without waiting — unless
   * the shutdown has completed meanwhile (its last line is written; the process exits anyway).
   */
  void emergency(String signal, Lifecycle lifecycle) {
    if (!lifecycle.forced(() -> log.atWarn().addKeyValue("signal", signal).log("second signal during shutdown: "
        + "killing the python process group without grace and exiting with " + Lifecycle.EXIT_ERROR))) {
      return;
    }
    supervisor.emergencyKill();
    try {
      supervisor.stoppedFuture().get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway
    }
    Runtime.getRuntime().halt(lifecycle.finish(Lifecycle.EXIT_ERROR, true));
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

  private InfraServer infraServer() {
    LocalConfig local = setup.local;
    boolean cluster = !setup.modes.offline();
    return new InfraServer(local.infraServerPort(), () -> {
      HealthRegistry health = new HealthRegistry(Clock.systemUTC());
      if (cluster) {
        health.register(HealthChecks.CONFIG_SERVICE_CONNECTION,
            HealthChecks.configServiceConnection(source::inactiveReason));
      }
      health.register(HealthChecks.REMOTE_CONFIG, HealthChecks.remoteConfig(status));
      health.register(HealthChecks.PYTHON_PROCESS, HealthChecks.pythonProcess(supervisor::snapshot,
          local.grpcInnerAddress()));
      return health;
    }, local.healthcheckHandlerTimeout(), probes::liveness, probes::readiness, metrics::registry,
        SupervisorJson.of(supervisor, status, cluster, this::sessionActive));
  }

  private List<Long> reapLeftovers() {
    return supervisor.reapLeftovers();
  }

  private boolean sessionActive() {
    return source != null && source.sessionActive();
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

  /** Reaps the orphans of the child that exited (the host is their subreaper); cheap when there are none. */
  static void reapOrphans() {
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
