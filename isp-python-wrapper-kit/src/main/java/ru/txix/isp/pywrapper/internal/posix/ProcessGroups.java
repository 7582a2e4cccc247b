package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends signals to processes and process groups with {@code kill(2)}: the only class that does.
 *
 * <p>Available on Linux and macOS (through JNA); {@link #supported()} is false elsewhere, and callers fall
 * back to {@link ProcessHandle}.
 */
public final class ProcessGroups {
  private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);
  private static final int ESRCH = 3;
  private static final boolean SUPPORTED = probe();

  private ProcessGroups() {
  }

  /** True on a POSIX system where libc could be loaded. */
  public static boolean supported() {
    return SUPPORTED;
  }

  /**
   * Sends {@code signal} to every process of group {@code pgid}.
   *
   * @return false if the group has no process left (ESRCH); true if the signal was sent
   */
  public static boolean signalGroup(long pgid, Signal signal) {
    return send(-Math.toIntExact(pgid), signal);
  }

  /** Sends {@code signal} to one process; false if it no longer exists. */
  public static boolean signalProcess(long pid, Signal signal) {
    return send(Math.toIntExact(pid), signal);
  }

  /**
   * False when nothing was signalled: no such process (ESRCH), or the OS refused (EPERM — a member running as
   * another user, say), which is logged. Never throws: callers go on with their escalation either way.
   */
  private static boolean send(int target, Signal signal) {
    try {
      LibC.INSTANCE.kill(target, signal.number());
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() != ESRCH) {
        log.atWarn().addKeyValue("target", target).addKeyValue("signal", signal.toString())
            .log("kill(" + target + ", " + signal + ") failed: errno " + e.getErrorCode());
      }
      return false;
    }
  }

  private static boolean probe() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("win")) {
      return false;
    }
    try {
      LibC.INSTANCE.getpgid(0);
      return true;
    } catch (Throwable e) {
      return false;
    }
  }
}
