package ru.txix.isp.pywrapper.supervisor;

import ru.txix.isp.pywrapper.supervisor.Phase.Backoff;
import ru.txix.isp.pywrapper.supervisor.Phase.Idle;
import ru.txix.isp.pywrapper.supervisor.Phase.Overlapping;
import ru.txix.isp.pywrapper.supervisor.Phase.Replacing;
import ru.txix.isp.pywrapper.supervisor.Phase.Running;
import ru.txix.isp.pywrapper.supervisor.Phase.Starting;

/**
 * The supervisor's current {@link Phase}, its detail in words, and the only ways to change it: {@link #transition}
 * along an edge of {@link Transitions} (logged at debug level, told to the listeners), or {@link #stay} in the same
 * state with new values. The alarms of a phase left behind are cancelled. Confined to the supervisor thread.
 */
final class Phases {
  private final Journal journal;
  private final Retirement retirement;
  private final SupervisorLog log;
  private Phase phase = new Idle(false);
  private String detail = "waiting for the first config";

  Phases(Journal journal, Retirement retirement, SupervisorLog log) {
    this.journal = journal;
    this.retirement = retirement;
    this.log = log;
  }

  Phase now() {
    return phase;
  }

  SupervisorState state() {
    return phase.state();
  }

  String detail() {
    return detail;
  }

  /** Goes to {@code next} because of {@code why} (and of {@code exit}, if an exit caused it). */
  void transition(Phase next, String why, ExitStatus exit) {
    SupervisorState from = phase.state();
    if (!Transitions.allowed(from, next.state())) {
      throw new IllegalStateException("Cannot go from " + from + " to " + next.state() + " (" + why + ")");
    }
    stay(next, why);
    log.transition(shownChild(), from, next.state(), why, exit);
    SupervisorSnapshot now = snapshot();
    journal.event(l -> l.stateChanged(from, now));
  }

  /** Replaces the phase's values without a change of state (nor a line, nor a listener call). */
  void stay(Phase next, String why) {
    for (Alarm alarm : phase.alarms()) {
      if (!next.alarms().contains(alarm)) {
        alarm.cancel();
      }
    }
    phase = next;
    detail = why;
  }

  /** The child that starts or serves in STARTING, RUNNING and OVERLAPPING. */
  Child servingChild() {
    return phase instanceof Starting s ? s.child() : phase instanceof Running r ? r.child()
        : ((Overlapping) phase).serving();
  }

  /** The child the snapshot shows: the one that starts, serves, or is being replaced or stopped; null if none. */
  Child shownChild() {
    return switch (phase.state()) {
      case STARTING, RUNNING, OVERLAPPING -> servingChild();
      case RESTARTING -> ((Replacing) phase).old();
      case STOPPING -> retirement.own().orElse(null);
      case IDLE, BACKOFF, STOPPED -> null;
    };
  }

  SupervisorSnapshot snapshot() {
    return journal.snapshot(phase.state(), detail, shownChild(),
        phase instanceof Backoff backoff ? backoff.snapshot() : null);
  }
}
