package ru.txix.isp.pywrapper.app;

import java.nio.file.Path;
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
import ru.txix.isp.pywrapper.config.SecretMasker;
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

  private final AppSpec spec;
  private final CompletableFuture<String> shutdownRequested = new CompletableFuture<>();
  private volatile PySupervisor supervisor;

  public Application(AppSpec spec) {
    this.spec = spec;
  }

  /** Runs until shut down; returns the exit code. */
  public int run() {
    Modes modes = Modes.from(spec.environment());
    Path root = spec.workingDirectory().toAbsolutePath().normalize();
    Path localPath = ConfigPaths.localConfig(spec.environment(), root, modes.dev());
    String localName = root.relativize(localPath.toAbsolutePath().normalize()).toString();
    LocalConfig local;
    RemoteConfigPipeline pipeline;
    try {
      local = LocalConfigLoader.load(localPath, localName, spec.environment(), !modes.offline());
      pipeline = new RemoteConfigPipeline(
          RemoteConfigOverride.parse(local.remoteConfigOverride(), localName + ": remoteConfigOverride"),
          spec.validator());
    } catch (ConfigException e) {
      log.error(e.getMessage());
      return EXIT_ERROR;
    }
    if (!modes.offline()) {
      log.error("cluster mode is not available in this version: set CLUSTER_MODE=offline");
      return EXIT_ERROR;
    }
    ConfigPaths paths = ConfigPaths.resolve(spec.environment(), root, local);
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

    String offlineName = paths.display(paths.offlineRemoteConfig());
    OfflineConfigSource source = new OfflineConfigSource(paths.offlineRemoteConfig(), offlineName,
        raw -> apply(pipeline, raw, offlineName), OFFLINE_POLL);
    ShutdownSignals.install(shutdownRequested::complete, this::shutdownNow);
    Thread hook = new Thread(() -> stopSupervisor(supervisor, settings), "shutdown-hook");
    Runtime.getRuntime().addShutdownHook(hook);

    log.atInfo().addKeyValue("module", local.moduleName()).addKeyValue("version", spec.version())
        .addKeyValue("mode", modes.offline() ? "offline" : "cluster")
        .addKeyValue("bindingAddress", local.grpcInnerAddress().toString())
        .addKeyValue("configFile", paths.configFile().toString())
        .addKeyValue("remoteConfig", paths.offlineRemoteConfig().toString())
        .log("starting python wrapper");
    checkUv(python.uv(), root);
    try {
      source.start();
    } catch (ConfigException e) {
      log.error(e.getMessage());
      stopSupervisor(supervisor, settings);
      return EXIT_ERROR;
    }

    String signal = shutdownRequested.join();
    log.atInfo().addKeyValue("signal", signal).log("starting shutdown");
    source.close();
    stopSupervisor(supervisor, settings);
    log.info("shutdown completed");
    removeHook(hook);
    return EXIT_OK;
  }

  /** Asks a running {@link #run()} to shut down, as SIGTERM would. */
  public void requestShutdown(String reason) {
    shutdownRequested.complete(reason);
  }

  private void apply(RemoteConfigPipeline pipeline, byte[] raw, String origin) {
    RemoteConfigPipeline.Outcome outcome = pipeline.process(raw);
    if (outcome instanceof RemoteConfigPipeline.Accepted accepted) {
      log.atInfo().addKeyValue("config", SecretMasker.mask(accepted.config()))
          .log("remote config received");
      supervisor.configReceived(accepted.config());
    } else if (outcome instanceof RemoteConfigPipeline.Rejected rejected) {
      log.error(origin + ": " + rejected.reason() + "; the python service keeps its current config");
    }
  }

  /**
   * Logs which uv will run the child (or warns that none is found — the supervisor then reports and retries).
   * Also the first process spawn of the JVM, which is slow; the first real start no longer pays for it.
   */
  private void checkUv(String uv, Path root) {
    try {
      Process process = new ProcessBuilder(uv, "--version").directory(root.toFile()).redirectErrorStream(true)
          .start();
      String version = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .strip();
      if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) {
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
