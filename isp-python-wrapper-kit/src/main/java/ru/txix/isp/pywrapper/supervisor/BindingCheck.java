package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.internal.posix.TcpListeners;

/**
 * Before a child is spawned: is its binding address already taken by another process? Then the child would
 * fail to bind (or the readiness probe would reach the other process), so the supervisor does not spawn and
 * reports the holder instead.
 */
@FunctionalInterface
interface BindingCheck {
  /** Never finds anything (for tests with fake children). */
  BindingCheck NONE = binding -> Optional.empty();

  /** What holds {@code binding}, in words for the operator, or empty when it is free. */
  Optional<String> foreignListener(BindingAddress binding);

  /**
   * The real check. First a bind of the address (SO_REUSEADDR, closed at once): where it succeeds nothing listens
   * there. Where it fails, on Linux: a socket listening on the port that collides with the binding host, and
   * the processes holding it ({@code pid 1234: python3 -m http.server 9200}) where {@code /proc} tells; elsewhere:
   * a TCP connect to the binding address succeeds. (The bind first because reading {@code /proc/net/tcp} costs
   * the kernel ~5 ms per table on a machine with much memory — on every spawn.)
   */
  static BindingCheck system() {
    return binding -> {
      if (bindable(binding)) {
        return Optional.empty();
      }
      if (!TcpListeners.available()) {
        return ListeningReadinessProbe.accepts(binding.connectAddress())
            ? Optional.of("another process accepts connections on " + binding) : Optional.empty();
      }
      List<TcpListeners.Listener> taken = TcpListeners.listening(binding.port()).stream()
          .filter(listener -> listener.collidesWith(binding.host())).toList();
      if (taken.isEmpty()) {
        return Optional.empty();
      }
      TcpListeners.Listener listener = taken.get(0);
      List<Long> holders = TcpListeners.holders(listener.inode());
      String who = holders.isEmpty() ? "a process this host cannot see (another user's, or another container's)"
          : holders.stream().map(pid -> "pid " + pid + " (" + ProcTable.commandLine(pid) + ")")
              .collect(Collectors.joining(", "));
      return Optional.of("BINDING_ADDRESS " + binding + " is already in use: " + listener + " is held by " + who);
    };
  }

  /** True if the address can be bound now (so that no socket listens on it). */
  private static boolean bindable(BindingAddress binding) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(binding.host(), binding.port()), 1);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
