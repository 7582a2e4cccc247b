package ru.txix.isp.pywrapper.cluster;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import ru.txix.isp.pywrapper.cluster.etp.EtpSettings;

/**
 * Timings of the config-service session and of the failover between hosts.
 *
 * @param ackTimeout wait for each acknowledgement (5 s; isp-kit's 1 s is short for the service's schema
 *     handling, which runs several database queries)
 * @param configTimeout wait for the first config of a session (5 s + {@code remoteConfigReceiverTimeout})
 * @param moduleConnectedTimeout wait for each {@code <module>_MODULE_CONNECTED} (1 s)
 * @param readinessTimeout wait for the Python service to accept connections before {@code MODULE:READY}; it is
 *     sent anyway, with a warning, after this (60 s)
 * @param reconnectDelay pause before the next round once every host has failed in a row, and the least time
 *     between two sessions with one host (1 s); a failover to another host does not wait
 * @param electionRetryDelay the same, in place of {@code reconnectDelay}, while a node of a cluster of several
 *     hosts refused the module in the last round, early in an outage: a raft election (250 ms)
 * @param electionWindow how long from the start of an outage {@code electionRetryDelay} may apply: a raft
 *     election's length with margin (10 s); then a node that keeps refusing is retried every
 *     {@code reconnectDelay}
 * @param etp limits of the connection itself
 */
public record ClusterSettings(Duration ackTimeout, Duration configTimeout, Duration moduleConnectedTimeout,
                              Duration readinessTimeout, Duration reconnectDelay, Duration electionRetryDelay,
                              Duration electionWindow, EtpSettings etp) {
  public static final ClusterSettings DEFAULTS = new ClusterSettings(Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMillis(250),
      Duration.ofSeconds(10), EtpSettings.DEFAULTS);

  public ClusterSettings {
    requireNonNull(ackTimeout, "ackTimeout");
    requireNonNull(configTimeout, "configTimeout");
    requireNonNull(moduleConnectedTimeout, "moduleConnectedTimeout");
    requireNonNull(readinessTimeout, "readinessTimeout");
    requireNonNull(reconnectDelay, "reconnectDelay");
    requireNonNull(electionRetryDelay, "electionRetryDelay");
    requireNonNull(electionWindow, "electionWindow");
    requireNonNull(etp, "etp");
  }

  public ClusterSettings withConfigTimeout(Duration value) {
    return new ClusterSettings(ackTimeout, value, moduleConnectedTimeout, readinessTimeout, reconnectDelay,
        electionRetryDelay, electionWindow, etp);
  }

  public ClusterSettings withReadinessTimeout(Duration value) {
    return new ClusterSettings(ackTimeout, configTimeout, moduleConnectedTimeout, value, reconnectDelay,
        electionRetryDelay, electionWindow, etp);
  }

  public ClusterSettings withReconnectDelay(Duration value) {
    return new ClusterSettings(ackTimeout, configTimeout, moduleConnectedTimeout, readinessTimeout, value,
        electionRetryDelay, electionWindow, etp);
  }

  /** {@code electionRetryDelay} and {@code electionWindow}. */
  public ClusterSettings withElectionRetry(Duration delay, Duration window) {
    return new ClusterSettings(ackTimeout, configTimeout, moduleConnectedTimeout, readinessTimeout, reconnectDelay,
        delay, window, etp);
  }

  public ClusterSettings withEtp(EtpSettings value) {
    return new ClusterSettings(ackTimeout, configTimeout, moduleConnectedTimeout, readinessTimeout, reconnectDelay,
        electionRetryDelay, electionWindow, value);
  }
}
