package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.NativeLong;

/**
 * The C heap of the host's own process. The JVM allocates and frees native memory at start-up (class parsing,
 * the JIT's arenas) and glibc keeps the freed pages; {@link #trim()} gives them back to the OS: about 1 MiB of
 * RSS for a host at rest.
 */
public final class NativeHeap {
  private static volatile boolean unavailable;

  private NativeHeap() {
  }

  /**
   * Calls glibc's {@code malloc_trim(0)}, which returns the free pages of every arena to the OS (sub-millisecond
   * for the host's heap). Elsewhere (musl, macOS, Windows) it does nothing.
   *
   * @return false where there is no {@code malloc_trim}
   */
  public static boolean trim() {
    if (unavailable) {
      return false;
    }
    try {
      LibC.INSTANCE.malloc_trim(new NativeLong(0));
      return true;
    } catch (LinkageError e) { // no such function, or no libc to load
      unavailable = true;
      return false;
    }
  }
}
