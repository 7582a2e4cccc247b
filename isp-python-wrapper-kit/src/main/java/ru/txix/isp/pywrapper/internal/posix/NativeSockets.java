package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Sockets the host makes for its children, natively (the JDK cannot hand a socket's descriptor to a child, nor
 * open a Unix datagram socket): a TCP listening socket passed to every child as fd 3, and a Unix datagram socket
 * for {@code sd_notify} messages. Every descriptor is close-on-exec, so no other process the JVM starts gets one.
 * Linux only.
 */
public final class NativeSockets {
  private static final int AF_UNIX = 1;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int SOCK_STREAM = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_REUSEADDR = 2;
  private static final int SO_RCVTIMEO = 20;
  private static final int EAGAIN = 11;
  private static final int EINTR = 4;
  private static final int EADDRINUSE = 98;
  private static final int MSG_NOSIGNAL = 0x4000;

  private NativeSockets() {
  }

  /**
   * A TCP socket listening on {@code host:port} ({@code host} may be a name, an address or a wildcard).
   *
   * @return its descriptor
   * @throws IOException naming the address and the OS's reason; a {@link BindException} when the address is in
   *     use ("Address already in use")
   */
  public static int listen(String host, int port, int backlog) throws IOException {
    InetAddress address = resolve(host);
    boolean v6 = address instanceof Inet6Address;
    LibC c = LibC.INSTANCE;
    int fd = call("socket", () -> c.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    try {
      try (Memory one = new Memory(4)) {
        one.setInt(0, 1);
        c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
      }
      try (Memory socketAddress = new Memory(v6 ? 28 : 16)) {
        socketAddress.clear();
        socketAddress.setShort(0, (short) (v6 ? AF_INET6 : AF_INET));
        socketAddress.setByte(2, (byte) (port >> 8));
        socketAddress.setByte(3, (byte) port);
        byte[] bytes = address.getAddress();
        socketAddress.write(v6 ? 8 : 4, bytes, 0, bytes.length);
        if (v6) {
          socketAddress.setInt(24, ((Inet6Address) address).getScopeId());
        }
        c.bind(fd, socketAddress, (int) socketAddress.size());
      }
      c.listen(fd, backlog);
      return fd;
    } catch (LastErrorException e) {
      close(fd);
      String message = "cannot listen on " + host + ":" + port + ": " + c.strerror(e.getErrorCode());
      if (e.getErrorCode() == EADDRINUSE) {
        throw (IOException) new BindException(message).initCause(e);
      }
      throw new IOException(message, e);
    }
  }

  /** The port a socket is bound to. */
  public static int localPort(int fd) {
    try (Memory socketAddress = new Memory(128)) {
      IntByReference length = new IntByReference(128);
      LibC.INSTANCE.getsockname(fd, socketAddress, length);
      return ((socketAddress.getByte(2) & 0xff) << 8) | (socketAddress.getByte(3) & 0xff);
    }
  }

  /**
   * A Unix datagram socket bound to {@code path} (at most 107 bytes), whose receives time out after
   * {@code receiveTimeoutMillis} so a reader can notice it should stop.
   */
  public static int datagram(Path path, int receiveTimeoutMillis) throws IOException {
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length > 107) {
      throw new IOException("socket path too long (" + name.length + " bytes, at most 107): " + path);
    }
    LibC c = LibC.INSTANCE;
    int fd = call("socket", () -> c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    try {
      try (Memory timeout = new Memory(16)) {
        timeout.setLong(0, receiveTimeoutMillis / 1000);
        timeout.setLong(8, (receiveTimeoutMillis % 1000) * 1000L);
        c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
      }
      try (Memory socketAddress = new Memory(110)) {
        socketAddress.clear();
        socketAddress.setShort(0, (short) AF_UNIX);
        socketAddress.write(2, name, 0, name.length);
        c.bind(fd, socketAddress, 2 + name.length + 1);
      }
      return fd;
    } catch (LastErrorException e) {
      close(fd);
      throw new IOException("cannot bind " + path + ": " + c.strerror(e.getErrorCode()), e);
    }
  }

  /**
   * Sends {@code message} as one datagram to the Unix socket {@code address}: a path, or with a leading {@code @}
   * a name in the abstract namespace (as systemd's {@code NOTIFY_SOCKET} may be), from a socket of its own.
   *
   * @throws IOException naming the address and the OS's reason (no such socket, nobody reading it)
   */
  public static void send(String address, String message) throws IOException {
    byte[] name = address.getBytes(StandardCharsets.UTF_8);
    boolean abstractName = name.length > 0 && name[0] == '@';
    if (name.length == 0 || name.length > 107) {
      throw new IOException("socket address of " + name.length + " bytes (1 to 107): '" + address + "'");
    }
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    LibC c = LibC.INSTANCE;
    int fd = call("socket", () -> c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    try (Memory socketAddress = new Memory(110)) {
      socketAddress.clear();
      socketAddress.setShort(0, (short) AF_UNIX);
      socketAddress.write(2, name, 0, name.length);
      if (abstractName) {
        socketAddress.setByte(2, (byte) 0);
      }
      c.sendto(fd, bytes, bytes.length, MSG_NOSIGNAL, socketAddress, 2 + name.length + (abstractName ? 0 : 1));
    } catch (LastErrorException e) {
      throw new IOException("cannot send to " + address + ": " + c.strerror(e.getErrorCode()), e);
    } finally {
      close(fd);
    }
  }

  /** One datagram, or empty when none came within the socket's receive timeout. */
  public static Optional<String> receive(int fd) throws IOException {
    byte[] buffer = new byte[4096];
    try {
      long length = LibC.INSTANCE.recv(fd, buffer, buffer.length, 0);
      return Optional.of(new String(buffer, 0, (int) Math.max(0, length), StandardCharsets.UTF_8));
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR) {
        return Optional.empty();
      }
      throw new IOException("recv: " + LibC.INSTANCE.strerror(e.getErrorCode()), e);
    }
  }

  public static void close(int fd) {
    try {
      LibC.INSTANCE.close(fd);
    } catch (LastErrorException e) {
      // already closed
    }
  }

  private static InetAddress resolve(String host) throws IOException {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      return bare.isEmpty() ? InetAddress.getByName("0.0.0.0") : InetAddress.getByName(bare);
    } catch (UnknownHostException e) {
      throw new IOException("cannot resolve " + host + ": " + e.getMessage(), e);
    }
  }

  private interface Call {
    int run() throws LastErrorException;
  }

  private static int call(String name, Call call) throws IOException {
    try {
      return call.run();
    } catch (LastErrorException e) {
      throw new IOException(name + ": " + LibC.INSTANCE.strerror(e.getErrorCode()), e);
    }
  }
}
