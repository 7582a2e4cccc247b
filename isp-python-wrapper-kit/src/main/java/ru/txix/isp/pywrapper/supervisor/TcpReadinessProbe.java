package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** Probes with a TCP connect every {@code interval}; the first connect that succeeds means "accepting". */
public final class TcpReadinessProbe implements ReadinessProbe {
  private static final int CONNECT_TIMEOUT_MILLIS = 250;

  private final Scheduler scheduler;
  private final Duration interval;

  /** {@code scheduler} should be dedicated to probing: each attempt may block for up to 250 ms. */
  public TcpReadinessProbe(Scheduler scheduler, Duration interval) {
    this.scheduler = scheduler;
    this.interval = interval;
  }

  @Override
  public Cancellable awaitAccepting(InetSocketAddress address, Runnable onAccepting) {
    AtomicBoolean cancelled = new AtomicBoolean();
    scheduler.schedule(Duration.ZERO, new Runnable() {
      @Override
      public void run() {
        if (cancelled.get()) {
          return;
        }
        if (accepts(new InetSocketAddress(address.getHostString(), address.getPort()))) {
          if (!cancelled.get()) {
            onAccepting.run();
          }
        } else {
          scheduler.schedule(interval, this);
        }
      }
    });
    return () -> cancelled.set(true);
  }

  /** True if a TCP connection to {@code address} succeeds now. */
  public static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
