package ru.txix.isp.pywrapper.app;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.internal.posix.NativeHeap;
import ru.txix.isp.pywrapper.supervisor.SupervisorListener;

/**
 * The host process: reads and checks everything it needs ({@link Setup}), then runs its components ({@link Host})
 * — the host's own part (the child subreaper, systemd's watchdog), the inherited socket, the Python supervisor, the
 * config source (the offline file or the config-service session), the infra HTTP server — started in the order of
 * their list and stopped in reverse ({@link Lifecycle}), until SIGTERM or SIGINT.
 *
 * <p>Exit codes: {@value #EXIT_OK} after a graceful shutdown; {@value #EXIT_ERROR} for start-up errors (every
 * problem found is logged, one line each, and no child is started) and after a second shutdown signal.
 */
public final class Application {
  public static final int EXIT_OK = Lifecycle.EXIT_OK;
  public static final int EXIT_ERROR = Lifecycle.EXIT_ERROR;

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
    Host host = new Host(spec, setup, clusterListener);
    // Once the start-up is over, and now and then after: the C heap's free pages back to the OS.
    Lifecycle lifecycle = new Lifecycle(host.components())
        .whileWaiting(NATIVE_HEAP_TRIM_FIRST, NATIVE_HEAP_TRIM_EVERY, NativeHeap::trim)
        .whileWaiting(ORPHANS_EVERY, ORPHANS_EVERY, Host::reapOrphans);
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
}
