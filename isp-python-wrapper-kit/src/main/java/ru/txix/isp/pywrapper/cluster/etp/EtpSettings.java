package ru.txix.isp.pywrapper.cluster.etp;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits of one ETP connection.
 *
 * @param readLimit the largest message accepted, in bytes; a larger one closes the connection with 1009
 *     (4 MiB, as isp-kit and the config service)
 * @param pingInterval a WebSocket ping is sent this often (5 s)
 * @param pongTimeout a ping unanswered for this long ends the connection (3 s)
 * @param connectTimeout limit for the TCP connect and the upgrade (5 s)
 */
public record EtpSettings(int readLimit, Duration pingInterval, Duration pongTimeout, Duration connectTimeout) {
  public static final EtpSettings DEFAULTS = new EtpSettings(4 * 1024 * 1024, Duration.ofSeconds(5),
      Duration.ofSeconds(3), Duration.ofSeconds(5));

  public EtpSettings {
    if (readLimit <= 0) {
      throw new IllegalArgumentException("readLimit must be positive but was " + readLimit);
    }
    requireNonNull(pingInterval, "pingInterval");
    requireNonNull(pongTimeout, "pongTimeout");
    requireNonNull(connectTimeout, "connectTimeout");
  }

  public EtpSettings withPingInterval(Duration value) {
    return new EtpSettings(readLimit, value, pongTimeout, connectTimeout);
  }

  public EtpSettings withPongTimeout(Duration value) {
    return new EtpSettings(readLimit, pingInterval, value, connectTimeout);
  }
}
