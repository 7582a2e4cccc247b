package ru.txix.isp.pywrapper.supervisor;

import java.util.Locale;

/** Why the supervisor started a child again. The lower-case name is the metrics label. */
public enum RestartCause {
  /** A different config arrived while a child ran. */
  CONFIG_CHANGED,
  /** The child exited by itself. */
  EXITED,
  /** The previous start attempt failed (no uv, no entry file, config file not writable…). */
  START_FAILED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
