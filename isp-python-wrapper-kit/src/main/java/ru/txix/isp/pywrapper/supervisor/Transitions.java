package ru.txix.isp.pywrapper.supervisor;

import static ru.txix.isp.pywrapper.supervisor.SupervisorState.BACKOFF;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.IDLE;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.OVERLAPPING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.RESTARTING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.RUNNING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STARTING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STOPPED;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STOPPING;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The edges the supervisor may take between its states: the one table that {@code transition} enforces, and that
 * the diagram in {@link SupervisorState}'s documentation (and the README's) draws — a test compares them.
 */
final class Transitions {
  private static final Map<SupervisorState, Set<SupervisorState>> ALLOWED = new EnumMap<>(SupervisorState.class);

  static {
    allow(IDLE, STARTING, BACKOFF, STOPPED);
    allow(STARTING, STARTING, RUNNING, RESTARTING, BACKOFF, STOPPING, STOPPED);
    allow(RUNNING, STARTING, RESTARTING, OVERLAPPING, BACKOFF, STOPPING, STOPPED);
    allow(RESTARTING, STARTING, BACKOFF, STOPPING, STOPPED);
    allow(OVERLAPPING, STARTING, RUNNING, STOPPING);
    allow(BACKOFF, STARTING, STOPPED);
    allow(STOPPING, STOPPED);
    allow(STOPPED);
  }

  private Transitions() {
  }

  private static void allow(SupervisorState from, SupervisorState... to) {
    Set<SupervisorState> targets = EnumSet.noneOf(SupervisorState.class);
    targets.addAll(java.util.List.of(to));
    ALLOWED.put(from, Collections.unmodifiableSet(targets));
  }

  static boolean allowed(SupervisorState from, SupervisorState to) {
    return ALLOWED.get(from).contains(to);
  }

  /** Every state with the states it may go to. */
  static Map<SupervisorState, Set<SupervisorState>> table() {
    return Collections.unmodifiableMap(ALLOWED);
  }
}
