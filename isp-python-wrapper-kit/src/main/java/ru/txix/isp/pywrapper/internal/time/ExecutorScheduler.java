package ru.txix.isp.pywrapper.internal.time;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import ru.txix.isp.pywrapper.internal.NamedThreads;

/**
 * A {@link Scheduler} on one named daemon thread, which ends when nothing is scheduled for a while and comes back
 * with the next task. Cancelled tasks are removed at once, so none pile up (nor keep the thread).
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {
  private final ScheduledThreadPoolExecutor executor;

  public ExecutorScheduler(String threadName) {
    executor = new ScheduledThreadPoolExecutor(1, NamedThreads.daemon(threadName));
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setKeepAliveTime(NamedThreads.IDLE_SECONDS, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
