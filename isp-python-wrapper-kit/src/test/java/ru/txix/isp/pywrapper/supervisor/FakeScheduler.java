package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import ru.txix.isp.pywrapper.internal.time.Scheduler;

/** A {@link Scheduler} whose time moves only in {@link #advance}; due tasks run on the calling thread. */
final class FakeScheduler implements Scheduler {
  private long now;
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  private record Task(long due, long order, Runnable runnable, boolean[] cancelled) {
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    tasks.add(new Task(now + delay.toNanos(), sequence++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** Moves time forward, running every task that falls due on the way, in order. */
  void advance(Duration duration) {
    long target = now + duration.toNanos();
    while (true) {
      Task next = tasks.stream().filter(t -> !t.cancelled()[0] && t.due() <= target)
          .min(Comparator.comparingLong(Task::due).thenComparingLong(Task::order)).orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      now = Math.max(now, next.due());
      next.runnable().run();
    }
    now = target;
  }

  /** Live (not cancelled, not run) tasks. */
  long pending() {
    return tasks.stream().filter(t -> !t.cancelled()[0]).count();
  }
}
