package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;

/**
 * Starts {@code uv run …} with {@code posix_spawn} ({@link NativeSpawn}): the leader of a new session and
 * process group without a helper program, with a clean signal mask and dispositions, stdin from
 * {@code /dev/null}, stdout and stderr shared, and no descriptor of the host but — when the host holds the
 * listening socket ({@code python.socket: inherit}) — that socket as fd 3.
 *
 * <p>Linux with glibc 2.29+; elsewhere {@link UvProcessLauncher} is used.
 */
final class NativeProcessLauncher implements ProcessLauncher {
  /** systemd's socket-activation variables: how many descriptors from fd 3 on, and their names. */
  public static final String LISTEN_FDS = "LISTEN_FDS";
  public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";

  private final ListeningSocket inheritedSocket;

  /** {@code inheritedSocket}: the socket every child gets as fd 3, or null for none. */
  public NativeProcessLauncher(ListeningSocket inheritedSocket) {
    this.inheritedSocket = inheritedSocket;
  }

  @Override
  public ChildProcess launch(LaunchSpec spec) throws LaunchException {
    int fd = inheritedSocket == null ? -1 : inheritedSocket.fd();
    if (inheritedSocket != null && fd < 0) {
      // never a child that binds the port itself in inherit mode: the socket was closed (the host is stopping)
      throw new LaunchException(spec, "the inherited listening socket is closed");
    }
    UvProcessLauncher.Prepared prepared = UvProcessLauncher.prepare(spec);
    Map<String, String> environment = new HashMap<>(prepared.environment());
    environment.remove("LISTEN_PID"); // cannot be right: uv's pid is not Python's
    if (fd >= 0) {
      environment.put(LISTEN_FDS, "1");
      environment.put(LISTEN_FDNAMES, "http");
    } else {
      environment.remove(LISTEN_FDS);
      environment.remove(LISTEN_FDNAMES);
    }
    int pid;
    try {
      pid = NativeSpawn.spawn(prepared.command().get(0), prepared.command(), environment,
          prepared.directory(), fd);
    } catch (IOException e) {
      throw new LaunchException(spec, e.getMessage(), e);
    }
    return new NativeChildProcess(pid, prepared.childId());
  }
}
