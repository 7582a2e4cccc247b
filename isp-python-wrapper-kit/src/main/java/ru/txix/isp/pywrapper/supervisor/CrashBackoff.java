package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;

/**
 * The crash back-off as a value: how many children in a row exited quickly. A child that lived less than
 * {@code backoffResetAfter} is a quick exit; each quick exit in a row doubles the wait from {@code restartDelay} up
 * to {@code restartDelayMax}; after {@code maxRestarts} of them (when that is set) the supervisor gives up. Each exit
 * makes a new value.
 */
record CrashBackoff(int quickExits) {
  static final CrashBackoff NONE = new CrashBackoff(0);

  /** After a child that lived {@code lived}: one more quick exit, or — a long life — the first of a new run. */
  CrashBackoff exited(Duration lived, SupervisorSettings settings) {
    return new CrashBackoff(lived.compareTo(settings.backoffResetAfter()) >= 0 ? 1 : quickExits + 1);
  }

  /** A child that was never ready counts as a quick exit. */
  CrashBackoff neverReady() {
    return new CrashBackoff(quickExits + 1);
  }

  /** {@code restartDelay} doubled per quick exit in a row (the first waits {@code restartDelay}), at most the max. */
  Duration delay(SupervisorSettings settings) {
    long factor = 1L << Math.min(30, Math.max(0, quickExits - 1));
    Duration delay = settings.restartDelay().multipliedBy(factor);
    return delay.compareTo(settings.restartDelayMax()) > 0 || delay.isNegative() ? settings.restartDelayMax() : delay;
  }

  /** True once more than {@code maxRestarts} quick exits came in a row (never with 0: no limit). */
  boolean exhausted(SupervisorSettings settings) {
    return settings.maxRestarts() > 0 && quickExits > settings.maxRestarts();
  }
}
