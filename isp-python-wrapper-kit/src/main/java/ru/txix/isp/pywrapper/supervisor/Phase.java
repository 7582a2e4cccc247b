package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The supervisor's phase as a value: one record per {@link SupervisorState}, holding exactly what that phase
 * needs, so that nothing means something in one phase only. A phase's {@link Alarm}s are cancelled when the
 * supervisor leaves it. Children on their way out (SIGTERM sent, exit not seen yet) are the {@link Retirement}'s;
 * a phase names the one whose exit moves it on.
 */
sealed interface Phase {

  SupervisorState state();

  /** The alarms this phase holds. */
  default List<Alarm> alarms() {
    return List.of();
  }

  /**
   * No child started yet: waiting for the first config, then ({@code reaping}) for the orphans of a previous host
   * to be gone.
   */
  record Idle(boolean reaping) implements Phase {
    @Override
    public SupervisorState state() {
      return SupervisorState.IDLE;
    }
  }

  /**
   * {@code child} was spawned and does not accept connections yet. {@code deadline}: the start timeout (none when it
   * is off or was reported). {@code replacement}: when to replace the child for a newer config (or retry writing it
   * to the file), none while the child runs the last config received.
   */
  record Starting(Child child, Alarm deadline, Alarm replacement) implements Phase {
    public Starting {
      requireNonNull(child, "child");
    }

    @Override
    public SupervisorState state() {
      return SupervisorState.STARTING;
    }

    @Override
    public List<Alarm> alarms() {
      return List.of(deadline, replacement);
    }
  }

  /** {@code child} accepts connections. {@code replacement} as in {@link Starting}. */
  record Running(Child child, Alarm replacement) implements Phase {
    public Running {
      requireNonNull(child, "child");
    }

    @Override
    public SupervisorState state() {
      return SupervisorState.RUNNING;
    }

    @Override
    public List<Alarm> alarms() {
      return List.of(replacement);
    }
  }

  /** {@code old} got SIGTERM; the next child starts once it is gone, counted as {@code cause}. */
  record Replacing(Child old, RestartCause cause) implements Phase {
    public Replacing {
      requireNonNull(old, "old");
      requireNonNull(cause, "cause");
    }

    @Override
    public SupervisorState state() {
      return SupervisorState.RESTARTING;
    }
  }

  /**
   * {@code incoming} starts with the new config while {@code serving} still serves (inherited socket, readiness
   * by notification). {@code deadline}: the incoming child's start timeout (none when it is off).
   */
  record Overlapping(Child serving, Child incoming, Alarm deadline) implements Phase {
    public Overlapping {
      requireNonNull(serving, "serving");
      requireNonNull(incoming, "incoming");
    }

    @Override
    public SupervisorState state() {
      return SupervisorState.OVERLAPPING;
    }

    @Override
    public List<Alarm> alarms() {
      return List.of(deadline);
    }
  }

  /**
   * No child; the next start, counted as {@code next}, is due at {@code at} ({@code over} fires then). A crash
   * back-off follows an exit and grows with the quick exits in a row ({@link CrashBackoff}); a start retry follows
   * a failed start and waits {@code startRetryDelay} each time.
   */
  record Backoff(Kind kind, RestartCause next, Duration delay, Instant at, Alarm over) implements Phase {
    public Backoff {
      requireNonNull(kind, "kind");
      if ((kind == Kind.START_RETRY) != (next == RestartCause.START_FAILED)) {
        throw new IllegalArgumentException("a " + kind + " back-off cannot count its start as " + next);
      }
    }

    /** What the wait follows. */
    enum Kind {
      /** A child's exit (or its replacement): the crash back-off. */
      CRASH,
      /** A start that failed (no uv, the binding address taken…). */
      START_RETRY
    }

    @Override
    public SupervisorState state() {
      return SupervisorState.BACKOFF;
    }

    @Override
    public List<Alarm> alarms() {
      return List.of(over);
    }

    SupervisorSnapshot.Backoff snapshot() {
      return new SupervisorSnapshot.Backoff(delay, at, next);
    }
  }

  /** The final stop: every child got SIGTERM; waiting until the {@link Retirement} has none left. */
  record Stopping() implements Phase {
    @Override
    public SupervisorState state() {
      return SupervisorState.STOPPING;
    }
  }

  /** Terminal: no child will be started. (The stop completes once the leftovers of the last ones are swept.) */
  record Stopped() implements Phase {
    @Override
    public SupervisorState state() {
      return SupervisorState.STOPPED;
    }
  }
}
