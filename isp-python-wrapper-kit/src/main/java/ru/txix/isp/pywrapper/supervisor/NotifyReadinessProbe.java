package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.NativeSockets;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/**
 * Readiness by notification, systemd's {@code sd_notify} protocol: each child gets {@code NOTIFY_SOCKET}, the
 * path of a Unix datagram socket of its own, and is ready when it sends a datagram holding the line
 * {@code READY=1} (other lines, such as {@code STATUS=…}, are logged). A socket per child tells which child
 * spoke — when a new child starts while the old one still serves, only the new one's {@code READY=1} counts.
 *
 * <p>Each waiting child has a reader thread ("py-notify") until it is ready or gone. Linux only.
 */
final class NotifyReadinessProbe implements ReadinessProbe, AutoCloseable {
  /** The variable systemd's {@code sd_notify} reads. */
  public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

  private static final Logger log = LoggerFactory.getLogger(NotifyReadinessProbe.class);
  private static final int RECEIVE_TIMEOUT_MILLIS = 200;

  private final Path directory;
  private final Map<Long, Channel> channels = new ConcurrentHashMap<>();

  /** Sockets go into {@code directory} (created if missing; short paths: at most 107 bytes each). */
  public NotifyReadinessProbe(Path directory) {
    this.directory = directory;
  }

  /** One child's socket. */
  private record Channel(int fd, Path path) {
  }

  @Override
  public Map<String, String> prepare(long generation) throws IOException {
    Files.createDirectories(directory);
    Path path = directory.resolve("notify-" + generation);
    Files.deleteIfExists(path);
    int fd = NativeSockets.datagram(path, RECEIVE_TIMEOUT_MILLIS);
    channels.put(generation, new Channel(fd, path));
    return Map.of(NOTIFY_SOCKET, path.toString());
  }

  @Override
  public void discard(long generation) {
    Channel channel = channels.remove(generation);
    if (channel != null) {
      closeChannel(channel);
    }
  }

  @Override
  public Cancellable awaitReady(ChildProcess child, long generation, BindingAddress binding, Runnable onReady) {
    Channel channel = channels.get(generation);
    if (channel == null) {
      throw new IllegalStateException("no notify socket prepared for generation " + generation);
    }
    AtomicBoolean cancelled = new AtomicBoolean();
    Thread reader = NamedThreads.daemon("py-notify").newThread(() -> {
      try {
        while (!cancelled.get()) {
          Optional<String> message = NativeSockets.receive(channel.fd());
          if (message.isEmpty() || cancelled.get()) {
            continue;
          }
          boolean ready = false;
          for (String line : message.get().split("\n")) {
            if (line.strip().equals("READY=1")) {
              ready = true;
            } else if (!line.isBlank()) {
              log.atDebug().addKeyValue("worker", "supervisor").addKeyValue("pid", child.pid())
                  .log("python service notified " + line.strip());
            }
          }
          if (ready) {
            onReady.run();
            return;
          }
        }
      } catch (IOException e) {
        log.atWarn().addKeyValue("worker", "supervisor").log("reading NOTIFY_SOCKET failed: " + e.getMessage());
      } finally {
        discard(generation);
      }
    });
    reader.start();
    return () -> cancelled.set(true);
  }

  @Override
  public void close() {
    channels.keySet().forEach(this::discard);
    try {
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // not empty: another host's
    }
  }

  private static void closeChannel(Channel channel) {
    NativeSockets.close(channel.fd());
    try {
      Files.deleteIfExists(channel.path());
    } catch (IOException e) {
      // gone
    }
  }
}
