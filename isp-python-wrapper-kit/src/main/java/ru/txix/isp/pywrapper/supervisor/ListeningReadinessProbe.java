package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.TcpListeners;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import ru.txix.isp.pywrapper.internal.time.Scheduler;

/**
 * A child is ready when a socket listening on its binding address belongs to it: a TCP connect to the binding
 * address succeeds, and, on Linux, a listening socket in {@code /proc/net/tcp}/{@code tcp6} on the port,
 * colliding with the binding host, is held (its inode among {@code /proc/<pid>/fd}) by a process of the child's
 * group — so another process that listens on the port does not make the child look ready. Probed every
 * {@code interval}; the connect comes first, as reading {@code /proc/net/tcp} costs the kernel milliseconds (it
 * walks the whole connection table) and the child is starting meanwhile.
 */
public final class ListeningReadinessProbe implements ReadinessProbe {
  private static final int CONNECT_TIMEOUT_MILLIS = 250;

  private final Scheduler scheduler;
  private final Duration interval;
  private final boolean proc;

  /** {@code scheduler} should be dedicated to probing: a connect may block for up to 250 ms. */
  public ListeningReadinessProbe(Scheduler scheduler, Duration interval) {
    this(scheduler, interval, TcpListeners.available());
  }

  /** For testing: {@code proc} false probes by TCP connect even on Linux. */
  ListeningReadinessProbe(Scheduler scheduler, Duration interval, boolean proc) {
    this.scheduler = scheduler;
    this.interval = interval;
    this.proc = proc;
  }

  @Override
  public Cancellable awaitReady(ChildProcess child, long generation, BindingAddress binding, Runnable onReady) {
    return PollUntil.start(scheduler, interval, () -> ready(child, binding), onReady);
  }

  private boolean ready(ChildProcess child, BindingAddress binding) {
    if (!accepts(binding.connectAddress())) {
      return false;
    }
    if (!proc) {
      return true;
    }
    List<TcpListeners.Listener> listeners = TcpListeners.listening(binding.port()).stream()
        .filter(listener -> listener.collidesWith(binding.host())).toList();
    if (listeners.isEmpty()) {
      return false;
    }
    List<Long> members = child.memberPids();
    return listeners.stream().anyMatch(listener -> TcpListeners.holder(listener.inode(), members).isPresent());
  }

  /** True if a TCP connection to {@code address} succeeds now. */
  public static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address.getHostString(), address.getPort()), CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
