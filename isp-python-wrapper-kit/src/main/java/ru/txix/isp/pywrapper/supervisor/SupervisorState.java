package ru.txix.isp.pywrapper.supervisor;

/**
 * The phases of {@link PySupervisor}, each explicit: no phase hides in a timer or a null. Transitions:
 *
 * <pre>
 * IDLE ──config──▶ STARTING ──accepting──▶ RUNNING
 *                   │   ▲  ▲                  │
 *   exit, failed    │   │  └──config (the old child gone)── RESTARTING ◀── config, liveness, start timeout
 *   start           ▼   │ wait over, config                                  (SIGTERM to the old child)
 *                  BACKOFF ◀───────────────────── exit ─────────────────────────┘ (from RUNNING too)
 * any state ──stop──▶ STOPPING ──child gone──▶ STOPPED   (IDLE and BACKOFF go straight to STOPPED)
 * BACKOFF ──too many quick exits (maxRestarts)──▶ STOPPED (the host exits 1)
 *
 * with the listening socket inherited and readiness by notification, a config change overlaps instead:
 * RUNNING ──config──▶ OVERLAPPING (the new child starts, the old one serves)
 *   ──new child ready──▶ RUNNING (the old one gets SIGTERM)
 *   ──new child exits, or not ready within startTimeout──▶ RUNNING (the old one goes on; retried after a back-off)
 * </pre>
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
