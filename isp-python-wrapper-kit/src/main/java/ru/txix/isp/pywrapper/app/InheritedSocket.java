package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.NativeSockets;

/**
 * {@code python.socket: inherit}: the socket the host binds on {@code BINDING_ADDRESS} once, before the first
 * child, and keeps open across restarts and crashes, so that connections made while no child runs wait in its
 * backlog for the next child, which gets it as fd 3.
 *
 * @param fd the descriptor in the host (close-on-exec: only the children it is handed to get it)
 * @param inode the socket's inode, as {@code /proc} lists it
 */
record InheritedSocket(int fd, long inode) {
  /** Large enough to hold a burst of connections while a child restarts; the kernel caps it at somaxconn. */
  static final int BACKLOG = 4096;

  /**
   * Binds and listens.
   *
   * @throws ConfigException a start-up error when the address cannot be bound (busy, say)
   */
  static InheritedSocket bind(BindingAddress binding) {
    int fd;
    try {
      fd = NativeSockets.listen(binding.host(), binding.port(), BACKLOG);
    } catch (IOException e) {
      throw new ConfigException("BINDING_ADDRESS " + binding + ": " + e.getMessage()
          + " (python.socket: inherit binds it in the host)");
    }
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return new InheritedSocket(fd, Long.parseLong(link.substring("socket:[".length(), link.length() - 1)));
    } catch (IOException | RuntimeException e) {
      NativeSockets.close(fd);
      throw new ConfigException("BINDING_ADDRESS " + binding + ": cannot identify the socket bound: " + e);
    }
  }

  void close() {
    NativeSockets.close(fd);
  }
}
