package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** The polling loop of the readiness probes: checks at once, then every interval, until true or cancelled. */
final class PollUntil {
  private PollUntil() {
  }

  /** Runs {@code done} once {@code check} is true, unless cancelled by then; checks run on {@code scheduler}. */
  static Cancellable start(Scheduler scheduler, Duration interval, BooleanSupplier check, Runnable done) {
    AtomicBoolean cancelled = new AtomicBoolean();
    scheduler.schedule(Duration.ZERO, new Runnable() {
      @Override
      public void run() {
        if (cancelled.get()) {
          return;
        }
        if (check.getAsBoolean()) {
          if (!cancelled.get()) {
            done.run();
          }
        } else {
          scheduler.schedule(interval, this);
        }
      }
    });
    return () -> cancelled.set(true);
  }
}
