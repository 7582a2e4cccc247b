package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff: attempt {@code n} (from 1) waits {@code initial × multiplier^(n-1)}, capped at
 * {@code max}, spread by ±{@code jitter} (a fraction) so that retries do not march in step. It never gives up.
 */
public record Backoff(Duration initial, double multiplier, Duration max, double jitter) {
  /** 100 ms, doubling, at most 5 s, ±20 %. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(5), 0.2);

  public Backoff {
    requireNonNull(initial, "initial");
    requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial must be positive but was " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max " + max + " is shorter than initial " + initial);
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be at least 1 but was " + multiplier);
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1) but was " + jitter);
    }
  }

  /** The wait before retry number {@code attempt} (1 = the first retry). */
  public Duration delay(int attempt, RandomGenerator random) {
    double base = initial.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
    double capped = Math.min(base, max.toNanos());
    double spread = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * random.nextDouble() - 1);
    return Duration.ofNanos((long) (capped * spread));
  }
}
