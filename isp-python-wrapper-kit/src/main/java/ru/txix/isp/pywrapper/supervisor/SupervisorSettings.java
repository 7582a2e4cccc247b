package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The supervisor's timings.
 *
 * @param restartDelay wait after the child exited by itself before starting it again (2 s)
 * @param startRetryDelay wait after a failed start before the next attempt (2 s)
 * @param stopTimeout how long the child may take to exit after SIGTERM before SIGKILL (5 s)
 * @param configRestartInterval a child started less than this long ago is replaced by a newer config only
 *     once it has run this long; configs arriving meanwhile collapse into one restart with the newest (1.5 s)
 * @param readinessProbeInterval how often a starting child is probed for accepting connections (10 ms)
 * @param deliveryBackoff retry policy for posting module addresses to the child ({@link Backoff#DEFAULT})
 */
public record SupervisorSettings(Duration restartDelay, Duration startRetryDelay, Duration stopTimeout,
                                 Duration configRestartInterval, Duration readinessProbeInterval,
                                 Backoff deliveryBackoff) {
  public static final SupervisorSettings DEFAULTS = new SupervisorSettings(Duration.ofSeconds(2),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(1500), Duration.ofMillis(10),
      Backoff.DEFAULT);

  public SupervisorSettings {
    requireNonNegative(restartDelay, "restartDelay");
    requireNonNegative(startRetryDelay, "startRetryDelay");
    requireNonNegative(stopTimeout, "stopTimeout");
    requireNonNegative(configRestartInterval, "configRestartInterval");
    requireNonNegative(readinessProbeInterval, "readinessProbeInterval");
    if (readinessProbeInterval.isZero()) {
      throw new IllegalArgumentException("readinessProbeInterval must be positive");
    }
    requireNonNull(deliveryBackoff, "deliveryBackoff");
  }

  public SupervisorSettings withRestartDelay(Duration value) {
    return new SupervisorSettings(value, startRetryDelay, stopTimeout, configRestartInterval,
        readinessProbeInterval, deliveryBackoff);
  }

  public SupervisorSettings withStartRetryDelay(Duration value) {
    return new SupervisorSettings(restartDelay, value, stopTimeout, configRestartInterval,
        readinessProbeInterval, deliveryBackoff);
  }

  public SupervisorSettings withStopTimeout(Duration value) {
    return new SupervisorSettings(restartDelay, startRetryDelay, value, configRestartInterval,
        readinessProbeInterval, deliveryBackoff);
  }

  public SupervisorSettings withConfigRestartInterval(Duration value) {
    return new SupervisorSettings(restartDelay, startRetryDelay, stopTimeout, value, readinessProbeInterval,
        deliveryBackoff);
  }

  public SupervisorSettings withReadinessProbeInterval(Duration value) {
    return new SupervisorSettings(restartDelay, startRetryDelay, stopTimeout, configRestartInterval, value,
        deliveryBackoff);
  }

  public SupervisorSettings withDeliveryBackoff(Backoff value) {
    return new SupervisorSettings(restartDelay, startRetryDelay, stopTimeout, configRestartInterval,
        readinessProbeInterval, value);
  }

  private static void requireNonNegative(Duration value, String name) {
    requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative but was " + value);
    }
  }
}
