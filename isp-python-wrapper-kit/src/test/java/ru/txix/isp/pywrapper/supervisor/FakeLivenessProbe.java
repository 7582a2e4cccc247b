package ru.txix.isp.pywrapper.supervisor;

import java.util.Optional;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** Reports liveness results only when told to, for the latest watch not cancelled. */
final class FakeLivenessProbe implements LivenessProbe {
  private Consumer<Optional<String>> watching;
  int watches;

  @Override
  public Cancellable watch(BindingAddress binding, SupervisorSettings.Liveness liveness,
                           Consumer<Optional<String>> result) {
    watches++;
    watching = result;
    return () -> {
      if (watching == result) {
        watching = null;
      }
    };
  }

  boolean watching() {
    return watching != null;
  }

  void pass() {
    report(Optional.empty());
  }

  void fail(String why) {
    report(Optional.of(why));
  }

  private void report(Optional<String> result) {
    if (watching == null) {
      throw new AssertionError("nothing is watched");
    }
    watching.accept(result);
  }
}
