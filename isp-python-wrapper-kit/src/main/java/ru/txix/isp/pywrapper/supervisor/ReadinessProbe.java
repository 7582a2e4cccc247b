package ru.txix.isp.pywrapper.supervisor;

import java.net.InetSocketAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** Watches for a starting child to accept connections. */
@FunctionalInterface
public interface ReadinessProbe {

  /**
   * Probes {@code address} until it accepts a connection, then runs {@code onAccepting} once (on a probe
   * thread). Cancelling stops the probing.
   */
  Cancellable awaitAccepting(InetSocketAddress address, Runnable onAccepting);
}
