package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Starts a child with glibc's {@code posix_spawn}, which the JDK cannot do for us: the child leads a new session
 * and process group ({@code POSIX_SPAWN_SETSID}), starts with an empty signal mask and every signal at its default
 * action (a JVM blocks SIGQUIT, and a host started with {@code nohup} ignores SIGHUP — neither reaches Python),
 * reads stdin from {@code /dev/null}, shares stdout and stderr, runs in the given folder, and inherits no file
 * descriptor but 0–2 — and, when asked, one more as fd 3 (a listening socket, systemd's {@code LISTEN_FDS}).
 *
 * <p>Linux with glibc 2.29 or later ({@code posix_spawn_file_actions_addchdir_np}); {@link #available()} says
 * whether it can be used here. Thread-safe.
 */
public final class NativeSpawn {
  private static final short SETSIGDEF = 0x04;
  private static final short SETSIGMASK = 0x08;
  private static final short SETSID = 0x80;
  private static final int O_RDONLY = 0;
  /** Generous for glibc's posix_spawnattr_t (336 bytes), posix_spawn_file_actions_t (80) and sigset_t (128). */
  private static final int BLOCK = 512;
  private static final int SIGSET = 128;
  private static final int WNOHANG = 1;
  private static final int EINTR = 4;
  private static final int ECHILD = 10;

  private static final Capabilities CAPABILITIES = probe();

  /**
   * The children spawned here and not reaped yet: {@link Subreaper} leaves them to {@link #reap}, which waits for
   * them by pid. Guarded by itself; a spawn adds its pid before anyone can see the child exit.
   */
  static final Set<Integer> OWN = new HashSet<>();

  private NativeSpawn() {
  }

  private record Capabilities(boolean available, boolean closeFrom, String why) {
  }

  /** True where children can be spawned natively (Linux, glibc 2.29+, libc loadable through JNA). */
  public static boolean available() {
    return CAPABILITIES.available();
  }

  /** Why native spawning is not available here ("" when it is). */
  public static String unavailableBecause() {
    return CAPABILITIES.why();
  }

  /**
   * Spawns {@code path} (an absolute path to an executable; no {@code PATH} search).
   *
   * @param argv the arguments, {@code argv[0]} first
   * @param environment exactly the child's environment
   * @param directory the child's working directory
   * @param passFd a descriptor of the host to become the child's fd 3, or -1 for none
   * @return the child's pid (it leads its own process group: pgid == pid)
   * @throws IOException naming the failed call and the OS's reason ({@code ENOENT}, say)
   */
  public static int spawn(String path, List<String> argv, Map<String, String> environment, Path directory,
                          int passFd) throws IOException {
    if (!available()) {
      throw new IOException("native spawn not available: " + unavailableBecause());
    }
    synchronized (OWN) {
      int pid = spawnOrRehearse(path, argv, environment, directory, passFd);
      OWN.add(pid);
      return pid;
    }
  }

  /**
   * Loads the native layer and rehearses a spawn — every call but {@code posix_spawn} itself — so that the
   * first real spawn finds the functions linked; for a background thread at start-up. Never throws.
   */
  public static void preload() {
    if (!available()) {
      return;
    }
    try {
      spawnOrRehearse(null, List.of(), Map.of(), Path.of("/"), -1);
      // The calls of a stop, linked now rather than on the stop path: each first call through JNA costs about
      // a millisecond. Harmless: signal 0 only checks, and the host is no child of its own.
      int self = (int) ProcessHandle.current().pid();
      LibC.INSTANCE.kill(self, 0);
      LibC.INSTANCE.getpgid(self);
      reapIfExited(self);
    } catch (IOException | RuntimeException | LinkageError e) {
      // the real calls will report it
    }
  }

  /** Spawns {@code path}, or, when it is null, does everything except the spawn itself and returns 0. */
  private static int spawnOrRehearse(String path, List<String> argv, Map<String, String> environment,
                                     Path directory, int passFd) throws IOException {
    LibC c = LibC.INSTANCE;
    try (Memory attributes = new Memory(BLOCK); Memory actions = new Memory(BLOCK);
         Memory mask = new Memory(SIGSET); Memory defaults = new Memory(SIGSET)) {
      check("posix_spawnattr_init", c.posix_spawnattr_init(attributes));
      try {
        check("posix_spawn_file_actions_init", c.posix_spawn_file_actions_init(actions));
        try {
          c.sigemptyset(mask);
          // Every byte set: unlike sigfillset() this also resets glibc's internal signals 32 and 33.
          defaults.setMemory(0, SIGSET, (byte) 0xff);
          check("posix_spawnattr_setsigmask", c.posix_spawnattr_setsigmask(attributes, mask));
          check("posix_spawnattr_setsigdefault", c.posix_spawnattr_setsigdefault(attributes, defaults));
          check("posix_spawnattr_setflags",
              c.posix_spawnattr_setflags(attributes, (short) (SETSID | SETSIGMASK | SETSIGDEF)));
          // File actions run in order, in the child.
          check("posix_spawn_file_actions_addopen",
              c.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0));
          int firstClosed = 3;
          if (passFd >= 0) {
            // dup2(fd, 3) also clears FD_CLOEXEC when fd is 3 already (glibc 2.29+).
            check("posix_spawn_file_actions_adddup2", c.posix_spawn_file_actions_adddup2(actions, passFd, 3));
            firstClosed = 4;
          }
          closeFrom(c, actions, firstClosed);
          check("posix_spawn_file_actions_addchdir_np",
              c.posix_spawn_file_actions_addchdir_np(actions, directory.toString()));
          if (path == null) {
            return 0;
          }
          IntByReference pid = new IntByReference();
          StringArray args = new StringArray(argv.toArray(new String[0]), "UTF-8");
          StringArray env = new StringArray(environment.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new), "UTF-8");
          try {
            check("posix_spawn " + path, c.posix_spawn(pid, path, actions, attributes, args, env));
          } finally {
            args.close();
            env.close();
          }
          return pid.getValue();
        } finally {
          c.posix_spawn_file_actions_destroy(actions);
        }
      } finally {
        c.posix_spawnattr_destroy(attributes);
      }
    }
  }

  /**
   * Reaps a child that has exited and returns its exit code — death by signal N reads as 128+N, as the JDK and uv
   * report it — or -1 if it is not ours or was reaped already. Waits if it has not exited yet.
   */
  public static int reap(int pid) {
    IntByReference status = new IntByReference();
    while (true) {
      try {
        int reaped = LibC.INSTANCE.waitpid(pid, status, 0);
        if (reaped != pid) {
          return -1;
        }
        forget(pid);
        int raw = status.getValue();
        int signal = raw & 0x7f;
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == EINTR) {
          continue;
        }
        if (e.getErrorCode() == ECHILD) {
          forget(pid);
          return -1;
        }
        throw e;
      }
    }
  }

  /** Reaps {@code pid} if it has exited; empty while it runs. */
  public static java.util.OptionalInt reapIfExited(int pid) {
    IntByReference status = new IntByReference();
    try {
      int reaped = LibC.INSTANCE.waitpid(pid, status, WNOHANG);
      if (reaped != pid) {
        return java.util.OptionalInt.empty();
      }
      forget(pid);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ECHILD) {
        forget(pid);
      }
      return java.util.OptionalInt.of(-1);
    }
    int raw = status.getValue();
    int signal = raw & 0x7f;
    return java.util.OptionalInt.of(signal == 0 ? (raw >> 8) & 0xff : 128 + signal);
  }

  private static void forget(int pid) {
    synchronized (OWN) {
      OWN.remove(pid);
    }
  }

  private static void closeFrom(LibC c, Memory actions, int first) throws IOException {
    if (CAPABILITIES.closeFrom()) {
      check("posix_spawn_file_actions_addclosefrom_np", c.posix_spawn_file_actions_addclosefrom_np(actions, first));
      return;
    }
    // glibc 2.29–2.33: close what is open now (a descriptor another thread opens meanwhile without CLOEXEC
    // may still be inherited).
    for (int fd : openDescriptors()) {
      if (fd >= first) {
        check("posix_spawn_file_actions_addclose", c.posix_spawn_file_actions_addclose(actions, fd));
      }
    }
  }

  private static List<Integer> openDescriptors() throws IOException {
    List<Integer> fds = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path entry : entries) {
        fds.add(Integer.parseInt(entry.getFileName().toString()));
      }
    }
    return fds;
  }

  private static void check(String call, int error) throws IOException {
    if (error != 0) {
      throw new IOException(call + ": " + LibC.INSTANCE.strerror(error) + " (errno " + error + ")");
    }
  }

  private static Capabilities probe() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      return new Capabilities(false, false, "not Linux (" + os + ")");
    }
    try {
      LibC.Loader.configure();
      NativeLibrary libc = NativeLibrary.getInstance(LibC.Loader.NAME);
      libc.getFunction("posix_spawn_file_actions_addchdir_np");
      boolean closeFrom;
      try {
        libc.getFunction("posix_spawn_file_actions_addclosefrom_np");
        closeFrom = true;
      } catch (UnsatisfiedLinkError e) {
        closeFrom = false;
      }
      return new Capabilities(true, closeFrom, "");
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return new Capabilities(false, false, "libc without posix_spawn_file_actions_addchdir_np (glibc < 2.29?): "
          + e.getMessage());
    }
  }
}
