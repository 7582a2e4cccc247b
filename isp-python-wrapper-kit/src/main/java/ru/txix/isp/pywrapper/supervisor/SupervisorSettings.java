package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The supervisor's timings and limits. Build with {@link #builder()} or change {@link #DEFAULTS} with the
 * {@code with…} methods.
 *
 * @param restartDelay wait before the first restart after the child exited by itself (2 s)
 * @param restartDelayMax the longest wait: each further quick exit doubles the wait up to this (60 s)
 * @param backoffResetAfter a child that lived at least this long before exiting starts the back-off afresh (60 s)
 * @param maxRestarts give up (the host exits 1) after this many consecutive quick exits; 0 never gives up
 * @param startRetryDelay wait after a failed start (no uv, the port held by another process…) (2 s)
 * @param stopTimeout how long the child may take to exit after SIGTERM before SIGKILL (5 s)
 * @param configRestartInterval a child started less than this long ago is replaced by a newer config only
 *     once it has run this long; configs arriving meanwhile collapse into one restart with the newest (1.5 s)
 * @param startTimeout a child that has not accepted connections by then is reported (60 s; 0: never)
 * @param startTimeoutAction what else happens then: {@link StartTimeoutAction#WARN} (default) or replacing it
 * @param readinessProbeInterval how often a starting child is probed for accepting connections (10 ms)
 * @param liveness the optional liveness check of a running child ({@link Liveness#OFF} by default)
 * @param deliveryBackoff retry policy for posting module addresses to the child ({@link Backoff#DEFAULT})
 */
public record SupervisorSettings(Duration restartDelay, Duration restartDelayMax, Duration backoffResetAfter,
                                 int maxRestarts, Duration startRetryDelay, Duration stopTimeout,
                                 Duration configRestartInterval, Duration startTimeout,
                                 StartTimeoutAction startTimeoutAction, Duration readinessProbeInterval,
                                 Liveness liveness, Backoff deliveryBackoff) {
  public static final SupervisorSettings DEFAULTS = new SupervisorSettings(Duration.ofSeconds(2),
      Duration.ofSeconds(60), Duration.ofSeconds(60), 0, Duration.ofSeconds(2), Duration.ofSeconds(5),
      Duration.ofMillis(1500), Duration.ofSeconds(60), StartTimeoutAction.WARN, Duration.ofMillis(10),
      Liveness.OFF, Backoff.DEFAULT);

  /** What a start timeout does besides the warning. */
  public enum StartTimeoutAction {
    /** Only the warning. */
    WARN,
    /** The warning, and the child is replaced (restart cause {@code start_timeout}). */
    RESTART
  }

  /**
   * A liveness check like a Kubernetes livenessProbe: an HTTP GET of {@code path} on the binding address every
   * {@code period}; a timeout, a refused connection or a non-2xx status is a failure; after
   * {@code failureThreshold} failures in a row the running child is replaced (restart cause {@code liveness}).
   *
   * @param path the path, e.g. {@code /health}; null: no liveness check
   */
  public record Liveness(String path, Duration period, Duration timeout, int failureThreshold) {
    /** No liveness check (the defaults of the other settings are 10 s, 2 s and 3). */
    public static final Liveness OFF = new Liveness(null, Duration.ofSeconds(10), Duration.ofSeconds(2), 3);

    public Liveness {
      positive(period, "liveness.period");
      positive(timeout, "liveness.timeout");
      if (failureThreshold < 1) {
        throw new IllegalArgumentException("liveness.failureThreshold must be at least 1 but was "
            + failureThreshold);
      }
      if (path != null && !path.startsWith("/")) {
        throw new IllegalArgumentException("liveness.path must start with / but was " + path);
      }
    }

    public boolean enabled() {
      return path != null;
    }
  }

  public SupervisorSettings {
    nonNegative(restartDelay, "restartDelay");
    nonNegative(restartDelayMax, "restartDelayMax");
    nonNegative(backoffResetAfter, "backoffResetAfter");
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("maxRestarts must not be negative but was " + maxRestarts);
    }
    nonNegative(startRetryDelay, "startRetryDelay");
    nonNegative(stopTimeout, "stopTimeout");
    nonNegative(configRestartInterval, "configRestartInterval");
    nonNegative(startTimeout, "startTimeout");
    requireNonNull(startTimeoutAction, "startTimeoutAction");
    positive(readinessProbeInterval, "readinessProbeInterval");
    requireNonNull(liveness, "liveness");
    requireNonNull(deliveryBackoff, "deliveryBackoff");
  }

  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public SupervisorSettings withRestartDelay(Duration value) {
    return toBuilder().restartDelay(value).build();
  }

  public SupervisorSettings withStartRetryDelay(Duration value) {
    return toBuilder().startRetryDelay(value).build();
  }

  public SupervisorSettings withStopTimeout(Duration value) {
    return toBuilder().stopTimeout(value).build();
  }

  public SupervisorSettings withConfigRestartInterval(Duration value) {
    return toBuilder().configRestartInterval(value).build();
  }

  private static void nonNegative(Duration value, String name) {
    requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative but was " + value);
    }
  }

  private static void positive(Duration value, String name) {
    nonNegative(value, name);
    if (value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  /** Builds {@link SupervisorSettings}; every setting starts at its default. */
  public static final class Builder {
    private Duration restartDelay;
    private Duration restartDelayMax;
    private Duration backoffResetAfter;
    private int maxRestarts;
    private Duration startRetryDelay;
    private Duration stopTimeout;
    private Duration configRestartInterval;
    private Duration startTimeout;
    private StartTimeoutAction startTimeoutAction;
    private Duration readinessProbeInterval;
    private Liveness liveness;
    private Backoff deliveryBackoff;

    private Builder(SupervisorSettings from) {
      restartDelay = from.restartDelay;
      restartDelayMax = from.restartDelayMax;
      backoffResetAfter = from.backoffResetAfter;
      maxRestarts = from.maxRestarts;
      startRetryDelay = from.startRetryDelay;
      stopTimeout = from.stopTimeout;
      configRestartInterval = from.configRestartInterval;
      startTimeout = from.startTimeout;
      startTimeoutAction = from.startTimeoutAction;
      readinessProbeInterval = from.readinessProbeInterval;
      liveness = from.liveness;
      deliveryBackoff = from.deliveryBackoff;
    }

    public Builder restartDelay(Duration value) {
      restartDelay = value;
      return this;
    }

    public Builder restartDelayMax(Duration value) {
      restartDelayMax = value;
      return this;
    }

    public Builder backoffResetAfter(Duration value) {
      backoffResetAfter = value;
      return this;
    }

    public Builder maxRestarts(int value) {
      maxRestarts = value;
      return this;
    }

    public Builder startRetryDelay(Duration value) {
      startRetryDelay = value;
      return this;
    }

    public Builder stopTimeout(Duration value) {
      stopTimeout = value;
      return this;
    }

    public Builder configRestartInterval(Duration value) {
      configRestartInterval = value;
      return this;
    }

    public Builder startTimeout(Duration value) {
      startTimeout = value;
      return this;
    }

    public Builder startTimeoutAction(StartTimeoutAction value) {
      startTimeoutAction = value;
      return this;
    }

    public Builder readinessProbeInterval(Duration value) {
      readinessProbeInterval = value;
      return this;
    }

    public Builder liveness(Liveness value) {
      liveness = value;
      return this;
    }

    public Builder deliveryBackoff(Backoff value) {
      deliveryBackoff = value;
      return this;
    }

    public SupervisorSettings build() {
      return new SupervisorSettings(restartDelay, restartDelayMax, backoffResetAfter, maxRestarts, startRetryDelay,
          stopTimeout, configRestartInterval, startTimeout, startTimeoutAction, readinessProbeInterval, liveness,
          deliveryBackoff);
    }
  }
}
