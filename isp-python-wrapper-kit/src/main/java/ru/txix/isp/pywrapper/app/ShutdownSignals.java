package ru.txix.isp.pywrapper.app;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.posix.Dispositions;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT handling: the first signal starts the graceful shutdown, a second one (of either kind)
 * during it asks for the immediate one. Installing replaces the JVM's default handling of these two signals
 * (shutdown hooks still run on {@code System.exit} and on other signals).
 *
 * <p>Signals as found: a host started with SIGINT or SIGTERM ignored (a background job of a non-interactive
 * shell, as some CI runners and {@code nohup} setups start it, ignores SIGINT) would ignore it for good — the
 * JVM installs no handler for an ignored signal. The host restores the default disposition and installs its
 * handler anyway, and says in one line if it could not.
 */
final class ShutdownSignals {
  private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

  private ShutdownSignals() {
  }

  /**
   * @param first called once, with the signal name, on a signal dispatcher thread
   * @param again called with the signal name on every further signal
   */
  static void install(Consumer<String> first, Consumer<String> again) {
    // One signal at a time: each has a dispatcher thread of its own, and a second signal must find the first's
    // work (and its line, "starting shutdown") done.
    Object order = new Object();
    AtomicInteger count = new AtomicInteger();
    for (String name : new String[] {"TERM", "INT"}) {
      SignalHandler handler = signal -> {
        String label = "SIG" + signal.getName();
        boolean isFirst;
        synchronized (order) {
          isFirst = count.incrementAndGet() == 1;
          if (isFirst) {
            first.accept(label);
          }
        }
        if (!isFirst) {
          again.accept(label);
        }
      };
      try {
        Signal signal = new Signal(name);
        if (Signal.handle(signal, handler) == SignalHandler.SIG_IGN) {
          // Ignored by the parent: the JVM left it so and did not install the handler.
          String failure = Dispositions.restoreDefault(signal.getNumber());
          if (failure != null || Signal.handle(signal, handler) == SignalHandler.SIG_IGN) {
            log.atWarn().addKeyValue("signal", "SIG" + name).log("SIG" + name + " was ignored when the host started "
                + "(inherited from its parent) and could not be restored (" + (failure == null ? "still ignored"
                : failure) + "): SIG" + name + " does not stop the host; use " + ("INT".equals(name) ? "SIGTERM"
                : "SIGINT"));
          }
        }
      } catch (IllegalArgumentException e) {
        log.warn("cannot handle SIG{} on this platform: {}", name, e.getMessage());
      }
    }
  }
}
