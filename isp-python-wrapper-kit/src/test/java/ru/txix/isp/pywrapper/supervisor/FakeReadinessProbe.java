package ru.txix.isp.pywrapper.supervisor;

import java.net.InetSocketAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** Reports "accepting" only when {@link #accept()} is called, for the latest probe not cancelled. */
final class FakeReadinessProbe implements ReadinessProbe {
  private Runnable waiting;
  InetSocketAddress lastAddress;

  @Override
  public Cancellable awaitAccepting(InetSocketAddress address, Runnable onAccepting) {
    lastAddress = address;
    waiting = onAccepting;
    return () -> {
      if (waiting == onAccepting) {
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
