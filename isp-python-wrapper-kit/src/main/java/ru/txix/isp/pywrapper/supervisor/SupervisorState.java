package ru.txix.isp.pywrapper.supervisor;

/**
 * The phases of {@link PySupervisor}, each explicit: no phase hides in a timer or a null. These are every edge the
 * supervisor may take, and no other (a test holds this list, the README's and the supervisor's own table to each
 * other):
 *
 * <pre>
 * IDLE ──config──▶ STARTING
 * IDLE ──config, the start failed──▶ BACKOFF
 * IDLE, BACKOFF ──stop──▶ STOPPED
 * STARTING ──accepting connections──▶ RUNNING
 * STARTING, RUNNING ──exit while a newer config waits: the next child starts at once──▶ STARTING
 * STARTING, RUNNING ──exit (the crash back-off), or the next start failed──▶ BACKOFF
 * STARTING ──newer config, or not ready by startTimeout (startTimeoutAction: restart): SIGTERM──▶ RESTARTING
 * RUNNING ──newer config, or liveness failed: SIGTERM──▶ RESTARTING
 * RUNNING ──newer config, socket inherited and readiness notified: the next child starts──▶ OVERLAPPING
 * OVERLAPPING ──the new child ready: SIGTERM to the old one──▶ RUNNING
 * OVERLAPPING ──the new child exited, or not ready by startTimeout: the old one goes on──▶ RUNNING
 * OVERLAPPING ──the old child exited: the new one goes on starting──▶ STARTING
 * RESTARTING ──the old child gone: the next one started──▶ STARTING
 * RESTARTING ──the old child gone: the crash back-off, or the next start failed──▶ BACKOFF
 * BACKOFF ──wait over, or config──▶ STARTING
 * STARTING, RUNNING, RESTARTING, OVERLAPPING ──stop: SIGTERM, SIGKILL after stopTimeout──▶ STOPPING
 * STOPPING ──every child gone──▶ STOPPED
 * STARTING, RUNNING, RESTARTING ──over python.maxRestarts quick exits in a row: the host exits 1──▶ STOPPED
 * </pre>
 *
 * A failed start retried from BACKOFF stays in BACKOFF. Once STOPPED, the stop completes when what the last
 * children left behind is swept ({@link PySupervisor#stoppedFuture()}).
 */
public enum SupervisorState {
  /** No config received yet, so no child. */
  IDLE,
  /** A child was spawned and does not accept connections on its binding address yet. */
  STARTING,
  /** The child accepts connections on its binding address. */
  RUNNING,
  /** The child is being replaced: it got SIGTERM; the next one starts once it is gone. */
  RESTARTING,
  /** A new child starts while the old one still serves (inherited socket, readiness by notification). */
  OVERLAPPING,
  /** No child: the next start is due after a wait (after an exit, or a failed start). */
  BACKOFF,
  /** The final stop: the child got SIGTERM (and SIGKILL after the stop timeout). */
  STOPPING,
  /** Terminal: no child, and none will be started. */
  STOPPED
}
