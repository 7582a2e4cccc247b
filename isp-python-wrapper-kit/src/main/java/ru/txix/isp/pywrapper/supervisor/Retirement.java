package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.KillDue;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.LeftoversKilled;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.SweepsOverdue;

/**
 * The children on their way out, and what they leave behind.
 *
 * <ul>
 *   <li>A <em>leaving</em> child got SIGTERM — once per process — and gets SIGKILL to its group every
 *       {@code stopTimeout} until its exit is seen. It is the phase's own child (replaced, or stopped for good), or
 *       one let go in the background (the previous child after an overlap, or a successor that did not become ready).
 *   <li>After each exit, the <em>sweep</em> ({@link ChildProcess#cleanUp()}): the group is killed at once, descendants
 *       that left it are searched for and killed in the background; what was found is reported when it comes back.
 *   <li>The <em>final wait</em>: once stopped, the supervisor completes its stop only when no child is leaving and
 *       every sweep is back — or {@link #SWEEP_WAIT} after the last exit (the host may exit next: nothing of a child
 *       may be left).
 * </ul>
 *
 * Confined to the supervisor thread.
 */
final class Retirement {
  /** How long the final wait waits for sweeps still running after the last exit. */
  static final Duration SWEEP_WAIT = Duration.ofSeconds(2);

  private final Duration stopTimeout;
  private final Alarm.Clock alarms;
  private final AddressDelivery delivery;
  private final SupervisorLog log;
  private final Journal journal;
  private final Consumer<SupervisorInput> submit;
  private final Map<Long, Leaving> leaving = new LinkedHashMap<>();
  private final Map<Long, Sweep> sweeps = new LinkedHashMap<>();
  private Alarm sweepWait = Alarm.NONE;
  private boolean sweepsGivenUp;

  Retirement(Duration stopTimeout, Alarm.Clock alarms, AddressDelivery delivery, SupervisorLog log, Journal journal,
             Consumer<SupervisorInput> submit) {
    this.stopTimeout = stopTimeout;
    this.alarms = alarms;
    this.delivery = delivery;
    this.log = log;
    this.journal = journal;
    this.submit = submit;
  }

  /** A child that got SIGTERM. {@code own}: the phase's child (its SIGKILL is reported to the listeners). */
  record Leaving(Child child, boolean own, Alarm kill, boolean killSent) {
  }

  /** The sweep after {@code child}'s exit. */
  private record Sweep(Child child, CompletableFuture<List<Long>> found) {
  }

  /**
   * Stops {@code child}: its probes and deliveries end, it gets SIGTERM (first the alarm: SIGKILL follows even if
   * SIGTERM fails).
   */
  void terminate(Child child, boolean own) {
    child.stopWatching();
    delivery.childGone(child.generation);
    leaving.put(child.generation, new Leaving(child, own, killAlarm(child), false));
    safely(child, "SIGTERM", child.process::terminate);
  }

  /** The child of {@code generation} exited: if it was leaving, it no longer is (its SIGKILLs end). */
  Optional<Leaving> gone(long generation) {
    Leaving gone = leaving.remove(generation);
    if (gone == null) {
      return Optional.empty();
    }
    gone.kill().cancel();
    return Optional.of(gone);
  }

  /** The stop timeout of a leaving child is over: SIGKILL to its group, again every stop timeout until it exits. */
  boolean killDue(KillDue due) {
    Leaving stopping = leaving.get(due.generation());
    if (stopping == null || !stopping.kill().is(due.alarm())) {
      return false;
    }
    Child child = stopping.child();
    leaving.put(child.generation, new Leaving(child, stopping.own(), killAlarm(child), true));
    log.killing(child, stopTimeout, stopping.killSent());
    safely(child, "SIGKILL", child.process::kill);
    if (!stopping.killSent() && stopping.own()) {
      journal.event(l -> l.stopEscalatedToKill(child.pid()));
    }
    return true;
  }

  private Alarm killAlarm(Child child) {
    return alarms.arm(stopTimeout, alarm -> new KillDue(child.generation, alarm));
  }

  /** The phase's own leaving child, if it has not exited yet. */
  Optional<Child> own() {
    return leaving.values().stream().filter(Leaving::own).map(Leaving::child).findFirst();
  }

  /** True while some child is leaving. */
  boolean anyLeaving() {
    return !leaving.isEmpty();
  }

  /**
   * After the exit of the phase's own child (by itself, replaced or stopped): its deliveries end, the exit is
   * recorded and told to the listeners ({@code expected}: the supervisor had asked it to stop), the rest is swept.
   */
  void exited(Child child, ExitStatus status, boolean expected) {
    delivery.childGone(child.generation);
    journal.exited(status);
    journal.event(l -> l.processExited(child.pid(), status, expected));
    sweep(child);
  }

  /** After the exit of a child let go in the background: swept, logged, told to the listeners. */
  void letGoExited(Child child, ExitStatus status, SupervisorState state) {
    sweep(child);
    log.letGoExited(child, status, state, journal.crashes());
    journal.event(l -> l.processExited(child.pid(), status, true));
  }

  /** Sweeps what is left of {@code exited}: its group now, its escaped descendants in the background. */
  void sweep(Child exited) {
    exited.stopWatching();
    CompletableFuture<List<Long>> found;
    try {
      found = exited.process.cleanUp();
    } catch (RuntimeException e) {
      log.cleanUpFailed(exited, e);
      return;
    }
    sweeps.put(exited.generation, new Sweep(exited, found));
    found.whenComplete((pids, error) ->
        submit.accept(new LeftoversKilled(exited.generation, pids == null ? List.of() : pids)));
  }

  /** The sweep after the child of {@code generation} came back: what it killed is reported. */
  boolean swept(LeftoversKilled swept) {
    Sweep sweep = sweeps.remove(swept.generation());
    if (sweep == null) {
      return false; // reported by the final wait already
    }
    report(sweep.child(), swept.pids());
    return true;
  }

  private void report(Child child, List<Long> pids) {
    if (!pids.isEmpty()) {
      log.leftoversKilled(child, pids);
      journal.event(l -> l.leftoversKilled(pids));
    }
  }

  /**
   * The final wait: true once no child is leaving and every sweep is back (those done by now are reported here),
   * or the sweeps were waited for long enough.
   */
  boolean settled() {
    if (anyLeaving()) {
      return false;
    }
    for (Long generation : new ArrayList<>(sweeps.keySet())) {
      Sweep sweep = sweeps.get(generation);
      if (sweep.found().isDone()) {
        sweeps.remove(generation);
        report(sweep.child(), sweep.found().isCompletedExceptionally() ? List.of() : sweep.found().join());
      }
    }
    if (sweeps.isEmpty() || sweepsGivenUp) {
      sweepWait.cancel();
      return true;
    }
    if (sweepWait == Alarm.NONE) {
      sweepWait = alarms.arm(SWEEP_WAIT, SweepsOverdue::new);
    }
    return false;
  }

  /** The final wait's time for the sweeps is over: the stop completes without them. */
  boolean sweepsOverdue(SweepsOverdue overdue) {
    if (!sweepWait.is(overdue.alarm())) {
      return false;
    }
    log.sweepsOverdue(SWEEP_WAIT);
    sweepsGivenUp = true;
    return true;
  }

  /** Runs an operation on a child; a failure is logged and kept as the last error, never thrown. */
  private void safely(Child target, String what, Runnable operation) {
    try {
      operation.run();
    } catch (RuntimeException e) {
      String message = what + " to the python process failed: " + e.getMessage();
      journal.error(message);
      log.signalFailed(target, message, e);
    }
  }
}
