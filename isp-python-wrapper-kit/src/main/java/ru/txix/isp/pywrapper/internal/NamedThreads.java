package ru.txix.isp.pywrapper.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the library's own threads: daemons with names an operator can find in a thread dump. */
public final class NamedThreads {
  private NamedThreads() {
  }

  /** One daemon thread per call named {@code name}, or {@code name-1}, {@code name-2}… if it makes several. */
  public static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      int n = count.incrementAndGet();
      Thread thread = new Thread(runnable, n == 1 ? name : name + "-" + n);
      thread.setDaemon(true);
      return thread;
    };
  }
}
