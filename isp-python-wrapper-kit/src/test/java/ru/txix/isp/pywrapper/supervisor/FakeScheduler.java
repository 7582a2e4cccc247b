package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import ru.txix.isp.pywrapper.internal.time.Scheduler;

/**
 * A {@link Scheduler} whose time moves only in {@link #advance}; due tasks run on the calling thread. Safe to use
 * from several threads (tests with real processes or real HTTP schedule from theirs); tasks run outside its lock.
 */
final class FakeScheduler implements Scheduler {
  private long now;
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  private record Task(long due, long order, Runnable runnable, AtomicBoolean cancelled) {
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    AtomicBoolean cancelled = new AtomicBoolean();
    tasks.add(new Task(now + delay.toNanos(), sequence++, task, cancelled));
    return () -> cancelled.set(true);
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  /** Moves time forward, running every task that falls due on the way, in order. */
  void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.stream().filter(t -> !t.cancelled().get() && t.due() <= target)
            .min(Comparator.comparingLong(Task::due).thenComparingLong(Task::order)).orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        now = Math.max(now, next.due());
      }
      next.runnable().run();
    }
  }

  /** Live (not cancelled, not run) tasks. */
  synchronized long pending() {
    return tasks.stream().filter(t -> !t.cancelled().get()).count();
  }
}
