package ru.txix.isp.pywrapper.cluster;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import ru.txix.isp.pywrapper.cluster.etp.EtpSettings;

/**
 * Timings of the config-service session.
 *
 * @param ackTimeout wait for each acknowledgement (5 s; isp-kit's 1 s is short for the service's schema
 *     handling, which runs several database queries)
 * @param configTimeout wait for the first config of a session (5 s + {@code remoteConfigReceiverTimeout})
 * @param moduleConnectedTimeout wait for each {@code <module>_MODULE_CONNECTED} (1 s)
 * @param readinessTimeout wait for the Python service to accept connections before {@code MODULE:READY}; it is
 *     sent anyway, with a warning, after this (60 s)
 * @param reconnectDelay pause after any end of a session (1 s)
 * @param etp limits of the connection itself
 */
public record ClusterSettings(Duration ackTimeout, Duration configTimeout, Duration moduleConnectedTimeout,
                              Duration readinessTimeout, Duration reconnectDelay, EtpSettings etp) {
  public static final ClusterSettings DEFAULTS = new ClusterSettings(Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1), EtpSettings.DEFAULTS);

  public ClusterSettings {
    requireNonNull(ackTimeout, "ackTimeout");
    requireNonNull(configTimeout, "configTimeout");
    requireNonNull(moduleConnectedTimeout, "moduleConnectedTimeout");
    requireNonNull(readinessTimeout, "readinessTimeout");
    requireNonNull(reconnectDelay, "reconnectDelay");
    requireNonNull(etp, "etp");
  }

  public ClusterSettings withConfigTimeout(Duration value) {
    return new ClusterSettings(ackTimeout, value, moduleConnectedTimeout, readinessTimeout, reconnectDelay, etp);
  }

  public ClusterSettings withReadinessTimeout(Duration value) {
    return new ClusterSettings(ackTimeout, configTimeout, moduleConnectedTimeout, value, reconnectDelay, etp);
  }

  public ClusterSettings withEtp(EtpSettings value) {
    return new ClusterSettings(ackTimeout, configTimeout, moduleConnectedTimeout, readinessTimeout, reconnectDelay,
        value);
  }
}
