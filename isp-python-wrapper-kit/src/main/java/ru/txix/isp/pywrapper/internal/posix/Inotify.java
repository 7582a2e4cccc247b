package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Linux's inotify on one folder, for a thread that waits for changes in it: {@link #await} blocks in
 * {@code poll} until something in the folder changes or the time is up, {@link #wake} (from another thread)
 * ends a wait for good. Only the waiting thread closes it.
 *
 * <p>The JDK's watch service does the same with a thread of its own in addition to the caller's.
 */
public final class Inotify implements AutoCloseable {
  private static final int IN_NONBLOCK = 0x800;
  private static final int IN_CLOEXEC = 0x80000;
  /** Modified, attributes, closed after writing, moved in or out, created, deleted. */
  private static final int CHANGES = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200;
  private static final short POLLIN = 0x1;
  private static final int EINTR = 4;

  private final int fd;
  private final int watch;
  /** Not a JNA {@code Memory}: a long-lived one keeps JNA's cleaner thread alive. */
  private final long pollFdAddress = Native.malloc(8);
  private final Pointer pollFd = new Pointer(pollFdAddress);
  private final byte[] events = new byte[4096];
  private volatile boolean woken;

  private Inotify(int fd, int watch) {
    this.fd = fd;
    this.watch = watch;
    pollFd.setInt(0, fd);
    pollFd.setShort(4, POLLIN);
  }

  /** Watches {@code folder}; empty where inotify is not available (not Linux, no native layer, no folder). */
  public static Optional<Inotify> watch(Path folder) {
    if (!NativeSpawn.available()) {
      return Optional.empty();
    }
    int fd = -1;
    try {
      fd = LibC.INSTANCE.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      return Optional.of(new Inotify(fd, LibC.INSTANCE.inotify_add_watch(fd, folder.toString(), CHANGES)));
    } catch (LastErrorException | UnsatisfiedLinkError e) {
      if (fd >= 0) {
        LibC.INSTANCE.close(fd);
      }
      return Optional.empty();
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for a change in the folder and consumes what arrived; true if something
   * changed, false on time-out or after {@link #wake}.
   */
  public boolean await(int timeoutMillis) {
    if (woken) {
      return false;
    }
    try {
      if (LibC.INSTANCE.poll(pollFd, 1, timeoutMillis) <= 0 || woken) {
        return false;
      }
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EINTR) {
        return false;
      }
      throw e;
    }
    boolean any = false;
    try {
      while (LibC.INSTANCE.read(fd, events, events.length) > 0) {
        any = true;
      }
    } catch (LastErrorException e) {
      // EAGAIN: drained
    }
    return any && !woken;
  }

  /** Ends the waiting, now and for good: removing the watch queues an event that {@code poll} sees. */
  public void wake() {
    woken = true;
    try {
      LibC.INSTANCE.inotify_rm_watch(fd, watch);
    } catch (LastErrorException e) {
      // removed already (the folder was deleted)
    }
  }

  /** Closes the descriptor; for the waiting thread, after its last {@link #await}. */
  @Override
  public void close() {
    try {
      LibC.INSTANCE.close(fd);
    } catch (LastErrorException e) {
      // closing anyway
    }
    Native.free(pollFdAddress);
  }
}
