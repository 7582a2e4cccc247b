package ru.txix.isp.pywrapper.app;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.config.ConfigException;

/**
 * Runs the host's components, in the manner of Guava's {@code ServiceManager}: starts them in order, waits for
 * the end (a shutdown signal, or a component giving up), stops them in reverse, and returns the exit code.
 *
 * <p>Exit codes: {@value #EXIT_OK} after a shutdown asked for by a signal; {@value #EXIT_ERROR} when a component
 * fails to start (the components started before are stopped first), when a component ended the run with a
 * fatal failure, and after {@link #forced} (a second signal).
 *
 * <p>Every run ends with one line, {@code shutdown completed} with its {@code exitCode}, logged whatever the
 * log level: by {@link #run()}, or by {@link #finish} when a second signal cuts the shutdown short.
 *
 * <p>{@link #run()} runs on the caller's thread; {@link #end} and {@link #forced} may be called from any
 * thread, at any time — before the components are all started too.
 */
final class Lifecycle {
  static final int EXIT_OK = 0;
  static final int EXIT_ERROR = 1;

  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
  private static final Duration LAST_LINE_WAIT = Duration.ofSeconds(6);

  /** Why the run ends ({@code signal} is null unless a signal asked for it) and with which exit code. */
  record Ending(String reason, String signal, int exitCode) {
    static Ending signal(String name) {
      return new Ending("signal " + name, name, EXIT_OK);
    }

    static Ending fatal(String reason) {
      return new Ending(reason, null, EXIT_ERROR);
    }
  }

  /** How the waiting thread tells time and waits for the end. */
  interface Ticker {
    /** The system's monotonic clock, and a timed wait on the future. */
    Ticker SYSTEM = new Ticker() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public boolean await(CompletableFuture<?> ending, long nanos) throws InterruptedException {
        try {
          ending.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          return false;
        } catch (ExecutionException e) {
          throw new IllegalStateException("the ending never fails", e);
        }
        return true;
      }
    };

    long nanoTime();

    /** Waits up to {@code nanos} for {@code ending}; true if it is done. */
    boolean await(CompletableFuture<?> ending, long nanos) throws InterruptedException;
  }

  private final List<Component> components;
  private final Ticker ticker;
  private final CompletableFuture<Ending> ending = new CompletableFuture<>();
  private final List<Component> started = new ArrayList<>();
  private final Object stopping = new Object();
  /** Held while a component starts: a stop from another thread (the shutdown hook) waits for that start. */
  private final Object starting = new Object();
  /** Set once the started components are being stopped: no component starts after that. */
  private volatile boolean closed;
  private boolean forced;
  /** Set once the run's end is decided: its last line is being written. Guarded by {@code this}. */
  private boolean done;
  private int exitCode;
  /** Completed once the run's last line is written. */
  private final CompletableFuture<Void> lastLineWritten = new CompletableFuture<>();
  private final List<IdleTask> idleTasks = new ArrayList<>();

  /** A task for the waiting thread: first run {@code first} after the components started, then every {@code every}. */
  private record IdleTask(Duration first, Duration every, Runnable task) {
  }

  Lifecycle(List<Component> components) {
    this(components, Ticker.SYSTEM);
  }

  /** For testing: {@code ticker} is the idle tasks' time. */
  Lifecycle(List<Component> components, Ticker ticker) {
    this.components = List.copyOf(components);
    this.ticker = requireNonNull(ticker, "ticker");
  }

  /**
   * While {@link #run()} waits for the end with every component started, it runs {@code task} on its own
   * thread — otherwise idle — {@code first} after the components started, then every {@code every}; never
   * after the end was asked for. Several tasks may be given (one call each); a task that is due runs after those
   * due before it. Call before {@link #run()}.
   */
  Lifecycle whileWaiting(Duration first, Duration every, Runnable task) {
    idleTasks.add(new IdleTask(requireNonNull(first, "first"), requireNonNull(every, "every"),
        requireNonNull(task, "task")));
    return this;
  }

  /** Asks the run to end; only the first call counts (and logs "starting shutdown", on the caller's thread). */
  void end(Ending why) {
    requireNonNull(why, "why");
    synchronized (ending) {
      if (ending.isDone()) {
        return;
      }
      if (why.signal() != null) {
        log.atInfo().addKeyValue("signal", why.signal()).log("starting shutdown");
      } else {
        log.atInfo().addKeyValue("reason", why.reason()).log("starting shutdown"); // the cause logged its own line
      }
      ending.complete(why);
    }
  }

  /**
   * The shutdown is cut short (a second signal): the run's exit code is {@value #EXIT_ERROR} whatever else, and
   * {@code announce} logs why, before the run's last line. False (nothing announced) when it is too late: the
   * run has ended, its last line written or being written.
   */
  synchronized boolean forced(Runnable announce) {
    if (done) {
      return false;
    }
    forced = true;
    announce.run();
    return true;
  }

  /**
   * Ends the run with {@code code} ({@value #EXIT_ERROR} if {@link #forced}): logs its last line,
   * {@code shutdown completed}, and returns the exit code once that line is written. Only the first call
   * counts; later ones wait for its line (at most a few seconds) and return the code decided then. With
   * {@code halting} (the process halts next), and after a second signal (whose handler halts it), no line is
   * written after it.
   */
  int finish(int code, boolean halting) {
    boolean last;
    boolean decided;
    synchronized (this) {
      decided = done;
      done = true;
      if (!decided) {
        exitCode = forced ? EXIT_ERROR : code;
      }
      last = halting || forced;
    }
    if (decided) {
      awaitLastLine(); // written by the first caller; the process may end right after this returns
      return exitCode;
    }
    try {
      LogbackDefaults.finalLine(Lifecycle.class.getName(), "shutdown completed", Map.of("exitCode", exitCode),
          last);
    } finally {
      lastLineWritten.complete(null);
    }
    return exitCode;
  }

  private void awaitLastLine() {
    try {
      lastLineWritten.get(LAST_LINE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // exiting anyway
    }
  }

  /** Starts, waits for the end, stops; returns the exit code. */
  int run() {
    for (Component component : components) {
      try {
        synchronized (starting) {
          if (ending.isDone() || closed) {
            break; // a signal (or the JVM's shutdown) during start-up: stop what runs already
          }
          component.start();
          synchronized (started) {
            started.add(component);
          }
        }
      } catch (ConfigException e) {
        e.problems().forEach(log::error);
        stopStarted();
        return finish(EXIT_ERROR, false);
      } catch (Exception e) {
        log.atError().setCause(e).log("cannot start the " + component.name() + ": " + e.getMessage());
        stopStarted();
        return finish(EXIT_ERROR, false);
      }
    }
    Ending why = awaitEnding();
    stopStarted();
    return finish(why.exitCode(), false);
  }

  private Ending awaitEnding() {
    if (idleTasks.isEmpty()) {
      return ending.join();
    }
    long start = ticker.nanoTime();
    long[] due = new long[idleTasks.size()];
    for (int i = 0; i < due.length; i++) {
      due[i] = start + idleTasks.get(i).first().toNanos();
    }
    while (true) {
      long next = due[0];
      for (long at : due) {
        next = at - next < 0 ? at : next;
      }
      try {
        if (ticker.await(ending, Math.max(0, next - ticker.nanoTime()))) {
          return ending.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ending.join();
      }
      for (int i = 0; i < due.length && !ending.isDone(); i++) {
        if (due[i] - ticker.nanoTime() <= 0) {
          runIdle(idleTasks.get(i).task());
          due[i] = ticker.nanoTime() + idleTasks.get(i).every().toNanos();
        }
      }
    }
  }

  private static void runIdle(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException failure) {
      log.atDebug().setCause(failure).log("idle task failed: " + failure.getMessage());
    }
  }

  /**
   * Stops the started components in reverse order. Safe to call again and from another thread (a shutdown
   * hook, say): a second caller waits until the first has stopped everything.
   */
  void stopStarted() {
    synchronized (stopping) {
      closed = true;
      List<Component> toStop;
      synchronized (starting) { // a component being started is stopped with the others, not left running
        synchronized (started) {
          toStop = new ArrayList<>(started);
          started.clear();
        }
      }
      stopAll(toStop);
    }
  }

  private static void stopAll(List<Component> toStop) {
    for (int i = toStop.size() - 1; i >= 0; i--) {
      Component component = toStop.get(i);
      try {
        component.stop();
      } catch (RuntimeException e) {
        log.atWarn().setCause(e).log("stopping the " + component.name() + " failed: " + e.getMessage());
      }
    }
  }
}
