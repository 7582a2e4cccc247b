package ru.txix.isp.pywrapper.supervisor;

import java.util.Locale;

/** Why the supervisor started a child again. The lower-case name is the metrics label. */
public enum RestartCause {
  /** A different config arrived while a child ran. */
  CONFIG_CHANGED,
  /** The child exited by itself. */
  EXITED,
  /** The previous start attempt failed (no uv, no entry file, the port held by another process…). */
  START_FAILED,
  /** The running child failed its liveness check too often and was replaced. */
  LIVENESS,
  /** The child did not accept connections within the start timeout and was replaced. */
  START_TIMEOUT;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
