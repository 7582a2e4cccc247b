package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.NativeSockets;
import ru.txix.isp.pywrapper.supervisor.ListeningSocket;

/**
 * {@code python.socket: inherit}: the socket the host binds on {@code BINDING_ADDRESS} once, before the first
 * child, and keeps open across restarts and crashes, so that connections made while no child runs wait in its
 * backlog for the next child, which gets it as fd 3.
 *
 * <p>A component: started before the supervisor, stopped (closed) after it. Before it binds, what a previous host
 * left running of its child is reaped — a child of a host killed with SIGKILL holds the socket it inherited — and
 * should the address still be in use, the leftovers holding it are looked for once more and the bind tried again.
 * Its descriptor and inode are read by the supervisor at each spawn.
 */
final class InheritedSocket implements Component, ListeningSocket {
  /** Large enough to hold a burst of connections while a child restarts; the kernel caps it at somaxconn. */
  static final int BACKLOG = 4096;

  private final BindingAddress binding;
  /** Kills what a previous host left running of its child; returns the pids killed. */
  private final Supplier<List<Long>> reapLeftovers;
  private volatile int fd = -1;
  private volatile long inode;

  InheritedSocket(BindingAddress binding, Supplier<List<Long>> reapLeftovers) {
    this.binding = binding;
    this.reapLeftovers = reapLeftovers;
  }

  @Override
  public String name() {
    return "inherited socket (" + binding + ")";
  }

  /**
   * Reaps a previous host's leftovers, binds and listens.
   *
   * @throws ConfigException a start-up error when the address cannot be bound (held by another process, say)
   */
  @Override
  public void start() {
    reapLeftovers.get();
    int bound;
    try {
      bound = listen();
    } catch (BindException busy) {
      // Held by a child no record names (a full disk kept it from being written)? Reaped now, if so.
      bound = reapLeftovers.get().isEmpty() ? fail(busy) : listenOrFail();
    } catch (IOException e) {
      bound = fail(e);
    }
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + bound)).toString();
      inode = Long.parseLong(link.substring("socket:[".length(), link.length() - 1));
    } catch (IOException | RuntimeException e) {
      NativeSockets.close(bound);
      throw new ConfigException("BINDING_ADDRESS " + binding + ": cannot identify the socket bound: " + e);
    }
    fd = bound;
  }

  private int listen() throws IOException {
    return NativeSockets.listen(binding.host(), binding.port(), BACKLOG);
  }

  private int listenOrFail() {
    try {
      return listen();
    } catch (IOException e) {
      return fail(e);
    }
  }

  private int fail(IOException e) {
    throw new ConfigException("BINDING_ADDRESS " + binding + ": " + e.getMessage()
        + " (python.socket: inherit binds it in the host)");
  }

  @Override
  public void stop() {
    int bound = fd;
    fd = -1;
    if (bound >= 0) {
      NativeSockets.close(bound);
    }
  }

  @Override
  public int fd() {
    return fd;
  }

  @Override
  public long inode() {
    return inode;
  }
}
