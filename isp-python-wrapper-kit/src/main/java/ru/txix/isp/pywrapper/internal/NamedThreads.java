package ru.txix.isp.pywrapper.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the library's own threads: daemons with names an operator can find in a thread dump. */
public final class NamedThreads {
  private NamedThreads() {
  }

  /** How long an idle pooled thread stays before it ends (the host keeps few threads at rest). */
  public static final long IDLE_SECONDS = 10;

  /**
   * Up to {@code threads} daemon threads named after {@code name}, started as tasks come and ended after
   * {@value #IDLE_SECONDS} s without work; tasks beyond them wait in order.
   */
  public static ExecutorService pool(String name, int threads) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon(name));
    executor.allowCoreThreadTimeOut(true);
    return executor;
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
