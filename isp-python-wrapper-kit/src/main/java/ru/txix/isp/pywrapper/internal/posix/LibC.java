package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The libc calls the JDK does not offer: signals to process groups, {@code posix_spawn} with file actions,
 * sockets the host hands to its children (and systemd's notification socket), reaping, and the host as a child
 * subreaper. Loaded on first use.
 *
 * <p>The {@code posix_spawn*} functions return an error number (0: success) rather than setting errno; the
 * others throw {@link LastErrorException}.
 */
interface LibC extends Library {
  LibC INSTANCE = Loader.load();

  /**
   * Loads glibc by its soname, {@code libc.so.6} (elsewhere: {@code c}), with UTF-8 strings (JNA would use the
   * platform's encoding: paths garbled under LANG=C).
   *
   * <p>Unless told the system's library directories ({@code jna.platform.library.path}), JNA learns them by
   * running {@code /sbin/ldconfig -p} — a process, some 30 ms of CPU at start-up — although a library named by
   * its soname needs no search. Where the property is not set, it is set to the usual directories
   * ({@code /usr/lib/<multiarch>}, {@code /lib/<multiarch>}, {@code /usr/lib64}, {@code /lib64},
   * {@code /usr/lib}, {@code /lib}) before JNA loads.
   */
  final class Loader {
    static final String NAME = isLinux() ? "libc.so.6" : "c";

    private Loader() {
    }

    static LibC load() {
      configure();
      try {
        return Native.load(NAME, LibC.class);
      } catch (UnsatisfiedLinkError e) {
        return Native.load("c", LibC.class); // not glibc: let JNA search
      }
    }

    static void configure() {
      JnaDispatchCache.use();
      System.getProperties().putIfAbsent("jna.encoding", "UTF-8");
      if (isLinux()) {
        String arch = System.getProperty("os.arch", "");
        String multiarch = switch (arch) {
          case "amd64", "x86_64" -> "x86_64-linux-gnu";
          case "aarch64" -> "aarch64-linux-gnu";
          default -> arch + "-linux-gnu";
        };
        System.getProperties().putIfAbsent("jna.platform.library.path", String.join(":", "/usr/lib/" + multiarch,
            "/lib/" + multiarch, "/usr/lib64", "/lib64", "/usr/lib", "/lib"));
      }
    }

    private static boolean isLinux() {
      return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }
  }

  int kill(int pid, int signal) throws LastErrorException;

  /** {@code handler} null: {@code SIG_DFL}; returns the previous handler ({@code SIG_ERR}: -1). */
  Pointer signal(int signal, Pointer handler);

  int getpgid(int pid) throws LastErrorException;

  int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attributes, StringArray argv,
                  StringArray envp);

  int posix_spawnattr_init(Pointer attributes);

  int posix_spawnattr_destroy(Pointer attributes);

  int posix_spawnattr_setflags(Pointer attributes, short flags);

  int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

  int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

  int posix_spawn_file_actions_init(Pointer actions);

  int posix_spawn_file_actions_destroy(Pointer actions);

  int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

  int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int target);

  int posix_spawn_file_actions_addclose(Pointer actions, int fd);

  /** glibc 2.29+. */
  int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

  /** glibc 2.34+. */
  int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

  int sigemptyset(Pointer signals) throws LastErrorException;

  int waitpid(int pid, IntByReference status, int options) throws LastErrorException;

  /** {@code info}: a {@code siginfo_t} (128 bytes); {@code si_pid} is the int at offset 16 on Linux. */
  int waitid(int idType, int id, Pointer info, int options) throws LastErrorException;

  /** Variadic in C; every argument here is an {@code unsigned long}, as the kernel reads them. */
  int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

  long sendto(int fd, byte[] buffer, long length, int flags, Pointer address, int addressLength)
      throws LastErrorException;

  int socket(int domain, int type, int protocol) throws LastErrorException;

  int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

  int bind(int fd, Pointer address, int length) throws LastErrorException;

  int listen(int fd, int backlog) throws LastErrorException;

  int getsockname(int fd, Pointer address, IntByReference length) throws LastErrorException;

  long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int inotify_init1(int flags) throws LastErrorException;

  int inotify_add_watch(int fd, String path, int mask) throws LastErrorException;

  int inotify_rm_watch(int fd, int watch) throws LastErrorException;

  /** {@code fds}: {@code struct pollfd[]} (int fd, short events, short revents: 8 bytes each). */
  int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

  long read(int fd, byte[] buffer, long count) throws LastErrorException;

  String strerror(int error);

  /** glibc only; {@code pad}: a {@code size_t}, as wide as a C long on the platforms JNA serves here. */
  int malloc_trim(NativeLong pad);
}
