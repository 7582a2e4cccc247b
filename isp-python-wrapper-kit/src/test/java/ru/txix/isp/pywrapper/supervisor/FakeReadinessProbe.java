package ru.txix.isp.pywrapper.supervisor;

import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** Reports "ready" only when {@link #accept()} is called, for the latest probe not cancelled. */
final class FakeReadinessProbe implements ReadinessProbe {
  private Runnable waiting;
  BindingAddress lastBinding;
  ChildProcess lastChild;

  @Override
  public Cancellable awaitReady(ChildProcess child, long generation, BindingAddress binding, Runnable onReady) {
    lastChild = child;
    lastBinding = binding;
    waiting = onReady;
    return () -> {
      if (waiting == onReady) {
        waiting = null;
      }
    };
  }

  boolean probing() {
    return waiting != null;
  }

  void accept() {
    Runnable callback = waiting;
    waiting = null;
    if (callback == null) {
      throw new AssertionError("nothing is probing");
    }
    callback.run();
  }
}
