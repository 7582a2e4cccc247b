package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.util.Map;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/**
 * Watches for a starting child to be ready: by default, to accept connections on its binding address
 * ({@link ListeningReadinessProbe}); with {@code python.readiness: notify}, to send {@code READY=1}
 * ({@link NotifyReadinessProbe}); with the host's socket inherited and no notification, to wait on that socket
 * ({@link InheritedSocketReadinessProbe}).
 */
interface ReadinessProbe {

  /**
   * Called on the supervisor thread before the child of {@code generation} is spawned: the variables its
   * environment needs for this probe (none by default; {@code NOTIFY_SOCKET} for notifications).
   *
   * @throws IOException if what the probe needs cannot be made (the start then fails, and is retried)
   */
  default Map<String, String> prepare(long generation) throws IOException {
    return Map.of();
  }

  /** The spawn of {@code generation} failed: drop what {@link #prepare} made. */
  default void discard(long generation) {
  }

  /**
   * Watches {@code child} (of {@code generation}) until it is ready, then runs {@code onReady} once (on a probe
   * thread). Cancelling stops the watching and drops what {@link #prepare} made.
   */
  Cancellable awaitReady(ChildProcess child, long generation, BindingAddress binding, Runnable onReady);
}
