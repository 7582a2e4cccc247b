package ru.txix.isp.pywrapper.app;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handling: the first signal starts the graceful shutdown, a second one (of either kind)
 * during it asks for the immediate one. Installing replaces the JVM's default handling of these two signals
 * (shutdown hooks still run on {@code System.exit} and on other signals).
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
    AtomicInteger count = new AtomicInteger();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> {
          String label = "SIG" + signal.getName();
          if (count.incrementAndGet() == 1) {
            first.accept(label);
          } else {
            again.accept(label);
          }
        });
      } catch (IllegalArgumentException e) {
        log.warn("cannot handle SIG{} on this platform: {}", name, e.getMessage());
      }
    }
  }
}
