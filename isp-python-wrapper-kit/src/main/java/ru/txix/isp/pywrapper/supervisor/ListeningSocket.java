package ru.txix.isp.pywrapper.supervisor;

/**
 * {@code python.socket: inherit}: the listening socket the host holds on the binding address and hands to every
 * child as fd 3. Bound by the host before the supervisor starts (its values are read at each spawn, not when the
 * supervisor is built), kept across restarts, closed after the supervisor stopped.
 */
public interface ListeningSocket {
  /** The descriptor in the host (close-on-exec: only the children it is handed to get it). */
  int fd();

  /** The socket's inode, as {@code /proc} lists it ({@code socket:[inode]}). */
  long inode();
}
