package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.Pointer;
import java.util.Locale;

/**
 * Signal dispositions the host inherits: a parent may start it with SIGINT or SIGTERM ignored (a background job
 * of a non-interactive shell ignores SIGINT, and the JVM then leaves it ignored: its handlers are never called).
 */
public final class Dispositions {
  private Dispositions() {
  }

  /**
   * Sets {@code signal}'s disposition back to the default ({@code SIG_DFL}), so that a handler can be installed.
   *
   * @param number the signal's number (SIGINT 2, SIGTERM 15)
   * @return null if done, else why not
   */
  public static String restoreDefault(int number) {
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
      return "not a POSIX system";
    }
    try {
      Pointer previous = LibC.INSTANCE.signal(number, null);
      return Pointer.nativeValue(previous) == -1 ? "signal(" + number + ", SIG_DFL) failed" : null;
    } catch (Throwable e) {
      return "libc unavailable: " + e;
    }
  }
}
