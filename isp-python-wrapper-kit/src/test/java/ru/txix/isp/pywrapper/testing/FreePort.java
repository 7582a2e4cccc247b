package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * A TCP port on loopback that nobody listens on right now, and that this JVM has not handed out before (the
 * kernel may give a just-released port again, and two scenarios of one test must not share one).
 */
public final class FreePort {
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePort() {
  }

  public static synchronized int find() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (HANDED_OUT.add(port) && port < 65535 && HANDED_OUT.add(port + 1)) {
        return port; // port + 1 stays free for a derived infra port too
      }
    }
    throw new IllegalStateException("no fresh free port found");
  }
}
