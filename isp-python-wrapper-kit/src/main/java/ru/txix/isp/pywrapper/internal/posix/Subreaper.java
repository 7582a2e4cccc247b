package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The host as the child subreaper of everything it starts (Linux {@code PR_SET_CHILD_SUBREAPER}): a descendant
 * of the child orphaned by its parent's exit — a grandchild whose parent died, a double-forked daemon — is
 * reparented to the host instead of to init, and reaped by {@link #reapOrphans()} once it exits. So in a container
 * without an init, where the host or its start script is PID 1's only child, no zombie is left behind, and without
 * {@code tini}.
 *
 * <p>Reaping never takes an exit status that someone in the host waits for: it never waits for "any child"
 * ({@code waitpid(-1)}). It finds the host's zombie children in {@code /proc} and reaps, one pid at a time, only
 * those that are no children of the host's own making: not spawned by {@link NativeSpawn} (whose
 * {@link NativeSpawn#reap reap} waits for that pid), and not in the host's session, where every child the JDK
 * starts stays (the JDK's process reaper waits for each of those by pid). A descendant of the Python child is
 * never in the host's session: the child leads a session of its own. (A child an application embedding the library
 * starts through the JDK in a session of its own — with {@code setsid}, say — would look like an orphan; the host
 * starts none.)
 *
 * <p>Linux only; elsewhere {@link #enable()} returns false and nothing is reaped. Thread-safe.
 */
public final class Subreaper {
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int P_ALL = 0;
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;
  private static final int SIGINFO = 128;
  private static final int SI_PID = 16;

  /** True while the host is the subreaper ({@link #enable()} succeeded, {@link #disable()} not called since). */
  private static volatile boolean enabled;
  /** The {@code siginfo_t} of {@link #anyExited()}, allocated once: it runs every second. Guarded by itself. */
  private static Memory info;

  private Subreaper() {
  }

  /** One orphan reaped: its pid and exit code (128+N after signal N). */
  public record Reaped(long pid, int exitCode) {
  }

  /**
   * Makes the host the child subreaper of its descendants; false where that cannot be done (not Linux, libc not
   * loadable, a kernel older than 3.4).
   */
  public static boolean enable() {
    enabled = set(1);
    return enabled;
  }

  /** Undoes {@link #enable()}: orphans go to init again. */
  public static void disable() {
    if (enabled) {
      enabled = false;
      set(0);
    }
  }

  private static boolean set(int value) {
    if (!NativeSpawn.available()) {
      return false;
    }
    try {
      LibC.INSTANCE.prctl(PR_SET_CHILD_SUBREAPER, value, 0, 0, 0);
      return true;
    } catch (LastErrorException | UnsatisfiedLinkError e) {
      return false;
    }
  }

  /**
   * True if a child of the host has exited and waits to be reaped — one system call that reaps nothing
   * ({@code waitid} with {@code WNOWAIT}): the cheap test before {@link #reapOrphans()} reads {@code /proc}.
   * Always false while the host is not the subreaper.
   */
  public static synchronized boolean anyExited() {
    if (!enabled) {
      return false;
    }
    if (info == null) {
      info = new Memory(SIGINFO);
    }
    try {
      info.clear();
      LibC.INSTANCE.waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT);
      return info.getInt(SI_PID) != 0;
    } catch (LastErrorException e) {
      return false; // ECHILD: no children at all
    }
  }

  /**
   * Reaps the host's zombie children that are orphans it adopted (see the class comment) and returns them;
   * empty when there were none.
   */
  public static List<Reaped> reapOrphans() {
    if (!ProcTable.available()) {
      return List.of();
    }
    long self = ProcessHandle.current().pid();
    Optional<ProcTable.Entry> host = ProcTable.read(self);
    if (host.isEmpty()) {
      return List.of();
    }
    List<Reaped> reaped = new ArrayList<>();
    IntByReference status = new IntByReference();
    // Under NativeSpawn's lock: a pid it spawns is in OWN before its zombie can be seen here.
    synchronized (NativeSpawn.OWN) {
      for (long pid : children(self)) {
        Optional<ProcTable.Entry> entry = ProcTable.read(pid);
        if (entry.isEmpty() || entry.get().state() != 'Z' || entry.get().ppid() != self
            || entry.get().session() == host.get().session() || NativeSpawn.OWN.contains((int) pid)) {
          continue;
        }
        try {
          if (LibC.INSTANCE.waitpid((int) pid, status, WNOHANG) == pid) {
            int raw = status.getValue();
            int signal = raw & 0x7f;
            reaped.add(new Reaped(pid, signal == 0 ? (raw >> 8) & 0xff : 128 + signal));
          }
        } catch (LastErrorException e) {
          // reaped meanwhile by its waiter (ECHILD)
        }
      }
    }
    return reaped;
  }

  /**
   * The host's children: the {@code children} file of each of its threads (an orphan is adopted by one of them),
   * or where the kernel has no such files, every process whose parent is the host.
   */
  static Set<Long> children(long self) {
    Set<Long> children = new LinkedHashSet<>();
    String[] tasks = new File("/proc/self/task").list();
    boolean read = false;
    if (tasks != null) {
      for (String task : tasks) {
        try {
          String list = Files.readString(Path.of("/proc/self/task", task, "children"), StandardCharsets.US_ASCII);
          read = true;
          for (String pid : list.trim().split(" ")) {
            if (!pid.isEmpty()) {
              children.add(Long.parseLong(pid));
            }
          }
        } catch (IOException | NumberFormatException e) {
          // a thread that ended meanwhile, or no such file (CONFIG_PROC_CHILDREN off)
        }
      }
    }
    if (!read) {
      for (ProcTable.Entry entry : ProcTable.all()) {
        if (entry.ppid() == self) {
          children.add(entry.pid());
        }
      }
    }
    return children;
  }
}
