package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The libc calls the JDK does not offer: signals to process groups, {@code posix_spawn} with file actions,
 * sockets the host hands to its children, and reaping. Loaded on first use.
 *
 * <p>The {@code posix_spawn*} functions return an error number (0: success) rather than setting errno; the
 * others throw {@link LastErrorException}.
 */
interface LibC extends Library {
  LibC INSTANCE = Loader.load();

  /** Loads libc with UTF-8 strings (JNA would use the platform's encoding: paths garbled under LANG=C). */
  final class Loader {
    private Loader() {
    }

    static LibC load() {
      utf8();
      return Native.load("c", LibC.class);
    }

    static void utf8() {
      System.getProperties().putIfAbsent("jna.encoding", "UTF-8");
    }
  }

  int kill(int pid, int signal) throws LastErrorException;

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

  int socket(int domain, int type, int protocol) throws LastErrorException;

  int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

  int bind(int fd, Pointer address, int length) throws LastErrorException;

  int listen(int fd, int backlog) throws LastErrorException;

  int getsockname(int fd, Pointer address, IntByReference length) throws LastErrorException;

  long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  String strerror(int error);
}
