package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/**
 * A timer armed for one purpose: its firing comes back to the supervisor thread as the input that names the
 * purpose ({@link SupervisorInput.StartTimedOut}, {@link SupervisorInput.KillDue}, …) carrying the alarm's id, and
 * is acted on only while the phase (or the leaving child) that holds this alarm still does. An alarm lives as long
 * as what holds it: a phase's alarms are cancelled when the supervisor leaves the phase.
 */
record Alarm(long id, Cancellable handle) {
  /** No alarm: nothing is due. */
  static final Alarm NONE = new Alarm(0, Cancellable.NONE);

  /** True for the firing of this alarm (never for {@link #NONE}). */
  boolean is(long fired) {
    return id != 0 && id == fired;
  }

  void cancel() {
    handle.cancel();
  }

  @Override
  public String toString() {
    return id == 0 ? "none" : "alarm " + id;
  }

  /** Arms alarms on a scheduler; each gets an id of its own. Confined to the supervisor thread. */
  static final class Clock {
    private final Scheduler scheduler;
    private final Consumer<SupervisorInput> submit;
    private long lastId;

    /** {@code submit} hands an input to the supervisor thread. */
    Clock(Scheduler scheduler, Consumer<SupervisorInput> submit) {
      this.scheduler = scheduler;
      this.submit = submit;
    }

    /** An alarm that submits {@code input(id)} after {@code delay}. */
    Alarm arm(Duration delay, LongFunction<SupervisorInput> input) {
      long id = ++lastId;
      return new Alarm(id, scheduler.schedule(delay, () -> submit.accept(input.apply(id))));
    }

    long nanoTime() {
      return scheduler.nanoTime();
    }
  }
}
