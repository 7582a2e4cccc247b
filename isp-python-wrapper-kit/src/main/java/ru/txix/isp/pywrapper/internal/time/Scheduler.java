package ru.txix.isp.pywrapper.internal.time;

import java.time.Duration;

/**
 * Runs tasks after a delay; the one way the library waits for time to pass.
 *
 * <p>Production uses {@link ExecutorScheduler}. Tests pass a fake that moves time by hand, so no test
 * sleeps. Tasks must be short: they usually only hand an input to the thread that owns some state.
 */
public interface Scheduler {

  /** Runs {@code task} once after {@code delay}; the returned handle cancels it if it has not run yet. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A monotonic reading in nanoseconds, for measuring elapsed time (not wall-clock time). */
  long nanoTime();

  /** A scheduled task that can still be called off. Cancelling twice, or after it ran, does nothing. */
  @FunctionalInterface
  interface Cancellable {
    Cancellable NONE = () -> { };

    void cancel();
  }
}
