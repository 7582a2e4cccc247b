package ru.txix.isp.pywrapper.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Which failures of a run of retries deserve a log line: the first one in full, then one summary per
 * {@code interval} ({@code still …: 30 attempts, last error: …}), and the recovery. Keeps retry loops (a
 * reconnect every second, a start retried every two) from flooding the log.
 *
 * <p>Not thread-safe: use it from the one thread that does the retrying.
 */
public final class RepeatedFailures {
  /** The summary interval used by the host: one line per 30 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private int failures;
  private long firstAt;
  private long lastReportAt;

  public RepeatedFailures(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /** What to do about one failure. */
  public sealed interface Verdict {
  }

  /** The first failure of a run: log it in full. */
  public record First() implements Verdict {
  }

  /** Log one line: {@code attempts} failures so far over {@code since}. */
  public record Summary(int attempts, Duration since) implements Verdict {
  }

  /** Log nothing. */
  public record Quiet() implements Verdict {
  }

  /** How a run of failures ended. */
  public record Recovery(int failures, Duration after) {
  }

  /** Records a failure. */
  public Verdict failed() {
    long now = nanoTime.getAsLong();
    failures++;
    if (failures == 1) {
      firstAt = now;
      lastReportAt = now;
      return new First();
    }
    if (now - lastReportAt >= intervalNanos) {
      lastReportAt = now;
      return new Summary(failures, Duration.ofNanos(now - firstAt));
    }
    return new Quiet();
  }

  /** Records a success; the run of failures it ends, if there was one. */
  public Optional<Recovery> succeeded() {
    if (failures == 0) {
      return Optional.empty();
    }
    Recovery recovery = new Recovery(failures, Duration.ofNanos(nanoTime.getAsLong() - firstAt));
    failures = 0;
    return Optional.of(recovery);
  }

  /** {@code 1 failed attempt}, {@code 2 failed attempts}: a count and its noun, in the plural unless 1. */
  public static String count(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  /** True while failures are being repeated (after the first). */
  public boolean failing() {
    return failures > 0;
  }
}
