package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.function.LongConsumer;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/**
 * The supervisor's one timer: armed for at most one moment at a time. What its firing means is decided by
 * the phase it fires in (start timeout or replacement while starting or running, SIGKILL while a child is
 * stopping, the next start while backing off). Firings of a timer that was re-armed or cancelled meanwhile are
 * recognised by their token and dropped. Confined to the supervisor thread.
 */
final class PhaseTimer {
  private final Scheduler scheduler;
  private final LongConsumer fired;
  private long token;
  private boolean armed;
  private Cancellable handle = Cancellable.NONE;

  /** {@code fired} gets the token of a firing; it must hand it to the supervisor thread. */
  PhaseTimer(Scheduler scheduler, LongConsumer fired) {
    this.scheduler = scheduler;
    this.fired = fired;
  }

  void arm(Duration delay) {
    cancel();
    long mine = token;
    armed = true;
    handle = scheduler.schedule(delay, () -> fired.accept(mine));
  }

  void cancel() {
    handle.cancel();
    handle = Cancellable.NONE;
    armed = false;
    token++;
  }

  /** True for the firing of the timer as armed now; it is then disarmed. */
  boolean claim(long firedToken) {
    if (!armed || firedToken != token) {
      return false;
    }
    armed = false;
    token++;
    return true;
  }
}
