package ru.txix.isp.pywrapper.supervisor;

/**
 * The states of {@link PySupervisor}. Transitions:
 *
 * <pre>
 * IDLE ──config──▶ STARTING ──accepting──▶ RUNNING
 *                     │  ▲                    │
 *        exit, config │  │ start               │ exit, config
 *                     ▼  │                    ▼
 *                   RESTARTING ◀──────────────┘
 * any state ──stop──▶ STOPPING ──child gone──▶ STOPPED   (IDLE and a child-less RESTARTING go straight to STOPPED)
 * </pre>
 */
public enum SupervisorState {
  /** No config received yet, so no child. */
  IDLE,
  /** A child was spawned and does not accept connections on its binding address yet. */
  STARTING,
  /** The child accepts connections on its binding address. */
  RUNNING,
  /** The child is being replaced: the old one is being stopped, or the restart delay is running. */
  RESTARTING,
  /** The final stop: the child got SIGTERM (and SIGKILL after the stop timeout). */
  STOPPING,
  /** Terminal: no child, and none will be started. */
  STOPPED
}
