package ru.txix.isp.pywrapper.internal.posix;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Listening TCP sockets as Linux's {@code /proc/net/tcp} and {@code /proc/net/tcp6} list them, and which
 * process holds one (its inode among the process's {@code /proc/<pid>/fd} links). Empty where there is no
 * {@code /proc}.
 */
public final class TcpListeners {
  private static final Path TCP = Path.of("/proc/net/tcp");
  private static final Path TCP6 = Path.of("/proc/net/tcp6");
  private static final String LISTEN = "0A";

  private TcpListeners() {
  }

  /** A listening socket: its local address and port, and its inode. */
  public record Listener(InetAddress address, int port, long inode) {
    /** True if binding {@code host} (an address, a name, or a wildcard) on this port would collide with it. */
    public boolean collidesWith(String host) {
      if (address.isAnyLocalAddress() || isWildcard(host)) {
        return true;
      }
      try {
        for (InetAddress candidate : InetAddress.getAllByName(host)) {
          if (sameAddress(candidate, address)) {
            return true;
          }
        }
      } catch (UnknownHostException e) {
        return false;
      }
      return false;
    }

    @Override
    public String toString() {
      return (address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]"
          : address.getHostAddress()) + ":" + port;
    }
  }

  /** True where {@code /proc/net/tcp} can be read (Linux). */
  public static boolean available() {
    return Files.isReadable(TCP);
  }

  /** Every socket listening on {@code port} (IPv4 and IPv6). */
  public static List<Listener> listening(int port) {
    List<Listener> found = new ArrayList<>();
    read(TCP, port, found);
    read(TCP6, port, found);
    return found;
  }

  /** Every listening socket (any port) held by one of {@code pids}. */
  public static List<Listener> heldBy(Collection<Long> pids) {
    List<Listener> all = new ArrayList<>();
    read(TCP, -1, all);
    read(TCP6, -1, all);
    List<Listener> held = new ArrayList<>();
    for (Listener listener : all) {
      if (holder(listener.inode(), pids).isPresent()) {
        held.add(listener);
      }
    }
    return held;
  }

  /** The first of {@code pids} that holds the socket with {@code inode}, if any. */
  public static Optional<Long> holder(long inode, Collection<Long> pids) {
    String target = "socket:[" + inode + "]";
    for (long pid : pids) {
      if (holds(pid, target)) {
        return Optional.of(pid);
      }
    }
    return Optional.empty();
  }

  /** Every visible process that holds the socket with {@code inode} (scans all processes: use sparingly). */
  public static List<Long> holders(long inode) {
    List<Long> pids = new ArrayList<>();
    for (ProcTable.Entry entry : ProcTable.all()) {
      pids.add(entry.pid());
    }
    String target = "socket:[" + inode + "]";
    List<Long> found = new ArrayList<>();
    for (long pid : pids) {
      if (holds(pid, target)) {
        found.add(pid);
      }
    }
    return found;
  }

  private static boolean holds(long pid, String target) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(target)) {
            return true;
          }
        } catch (IOException | UnsupportedOperationException e) {
          // closed meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return false; // gone, or not ours to read
    }
    return false;
  }

  private static void read(Path table, int port, List<Listener> found) {
    List<String> lines;
    try {
      lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return;
    }
    for (int i = 1; i < lines.size(); i++) {
      Listener listener = parse(lines.get(i), port);
      if (listener != null) {
        found.add(listener);
      }
    }
  }

  /** One line of /proc/net/tcp{,6} if it is a listener on {@code port} (any port if negative), else null. */
  static Listener parse(String line, int port) {
    String[] fields = line.strip().split("\\s+");
    if (fields.length < 10 || !fields[3].equals(LISTEN)) {
      return null;
    }
    int colon = fields[1].indexOf(':');
    if (colon < 0) {
      return null;
    }
    int local = Integer.parseInt(fields[1].substring(colon + 1), 16);
    if (port >= 0 && local != port) {
      return null;
    }
    try {
      return new Listener(address(fields[1].substring(0, colon)), local, Long.parseLong(fields[9]));
    } catch (UnknownHostException | NumberFormatException e) {
      return null;
    }
  }

  /** The kernel prints each 32-bit word of the address in host (little-endian) byte order. */
  private static InetAddress address(String hex) throws UnknownHostException {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int b = 0; b < 4; b++) {
        int at = (word * 4 + 3 - b) * 2;
        bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    return InetAddress.getByAddress(bytes);
  }

  private static boolean isWildcard(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return bare.isEmpty() || bare.equals("0.0.0.0") || bare.equals("::") || bare.equals("*");
  }

  private static boolean sameAddress(InetAddress a, InetAddress b) {
    return a.equals(b) || mapped(a).equals(mapped(b));
  }

  /** An IPv4-mapped IPv6 address as its IPv4 address; any other address as itself. */
  private static String mapped(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 16) {
      boolean v4 = bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
      for (int i = 0; i < 10 && v4; i++) {
        v4 = bytes[i] == 0;
      }
      if (v4) {
        return String.format(Locale.ROOT, "%d.%d.%d.%d", bytes[12] & 0xff, bytes[13] & 0xff, bytes[14] & 0xff,
            bytes[15] & 0xff);
      }
    }
    return address.getHostAddress();
  }
}
