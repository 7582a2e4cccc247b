package ru.txix.isp.pywrapper.app;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.cluster.ClusterHandler;
import ru.txix.isp.pywrapper.config.LogLevelCheck;
import ru.txix.isp.pywrapper.config.RemoteConfigPipeline;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.config.SecretMasker;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;

/**
 * Where remote configs (from the config service or the offline file) and host lists end up: a valid config
 * sets the host's log level and goes to the supervisor; an invalid one is reported field by field and
 * changes nothing — the Python service keeps running on its previous config. Never exits the process.
 *
 * <p>Called on one thread at a time (the cluster client's config lane, or the offline watcher).
 */
public final class RemoteConfigApplier implements ClusterHandler {
  private static final Logger log = LoggerFactory.getLogger(RemoteConfigApplier.class);

  private final RemoteConfigPipeline pipeline;
  private final PySupervisor supervisor;
  private final RemoteConfigStatus status;
  private final String defaultLevel;

  /**
   * @param defaultLevel the host's level when a config sets no {@code logLevel} ({@code debug} in dev mode,
   *     else {@code info})
   */
  public RemoteConfigApplier(RemoteConfigPipeline pipeline, PySupervisor supervisor, RemoteConfigStatus status,
                             String defaultLevel) {
    this.pipeline = pipeline;
    this.supervisor = supervisor;
    this.status = status;
    this.defaultLevel = defaultLevel;
  }

  @Override
  public boolean configReceived(String source, String data) {
    RemoteConfigPipeline.Outcome outcome = pipeline.process(data.getBytes(StandardCharsets.UTF_8));
    if (outcome instanceof RemoteConfigPipeline.Accepted accepted) {
      String level = LogLevelCheck.levelOf(accepted.config()).orElse(defaultLevel);
      LogLevels.parse(level).ifPresent(LogLevels::apply);
      log.atInfo().addKeyValue("source", source).addKeyValue("logLevel", level)
          .addKeyValue("config", SecretMasker.mask(accepted.config())).log("remote config accepted");
      supervisor.configReceived(accepted.config());
      status.accepted();
      return true;
    }
    String reason = ((RemoteConfigPipeline.Rejected) outcome).reason();
    String message = "remote config rejected (" + source + "): " + reason
        + (status.validInEffect() ? "; the python service keeps running on its previous config"
            : "; no valid config yet, the python service is not started");
    log.atError().addKeyValue("source", source).log(message);
    status.rejected(reason);
    return false;
  }

  @Override
  public boolean validConfigInEffect() {
    return status.validInEffect();
  }

  @Override
  public void hostsReceived(String module, List<String> hosts) {
    supervisor.hostsReceived(module, hosts);
  }

  @Override
  public CompletableFuture<Void> serviceAccepting() {
    return supervisor.awaitRunning();
  }

}
