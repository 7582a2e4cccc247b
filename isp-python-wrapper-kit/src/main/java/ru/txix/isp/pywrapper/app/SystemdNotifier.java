package ru.txix.isp.pywrapper.app;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.posix.NativeSockets;
import ru.txix.isp.pywrapper.supervisor.SupervisorListener;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import ru.txix.isp.pywrapper.supervisor.SupervisorState;

/**
 * The host's side of systemd's {@code sd_notify} protocol, when systemd runs it as a {@code Type=notify} service
 * ({@code NOTIFY_SOCKET} in its environment): {@code READY=1} once the child serves for the first time,
 * {@code STATUS=…} at each change of the supervisor's state (what {@code systemctl status} shows),
 * {@code STOPPING=1} when the shutdown begins, and with {@code WatchdogSec=} ({@code WATCHDOG_USEC}, for this
 * process: {@code WATCHDOG_PID} unset or the host's) {@code WATCHDOG=1} every half of that period while the host
 * is live ({@link HostProbes#liveness()}).
 *
 * <p>These variables are the host's, never the child's: {@link #childEnvironment} removes them (with
 * {@code python.readiness: notify} the child gets a {@code NOTIFY_SOCKET} of the host's own instead).
 *
 * <p>Without {@code NOTIFY_SOCKET} it does nothing. A failed send is logged once, at warn, and stops nothing.
 * State callbacks come on the supervisor thread; the watchdog has a thread of its own ("systemd-watchdog").
 */
final class SystemdNotifier extends SupervisorListener implements AutoCloseable {
  static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
  static final String WATCHDOG_USEC = "WATCHDOG_USEC";
  static final String WATCHDOG_PID = "WATCHDOG_PID";

  private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

  private final String socket;
  private final Duration watchdog;
  private final Supplier<Optional<String>> liveness;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile boolean stopping;
  private ScheduledExecutorService pinger;

  private SystemdNotifier(String socket, Duration watchdog, Supplier<Optional<String>> liveness) {
    this.socket = socket;
    this.watchdog = watchdog;
    this.liveness = liveness;
  }

  /**
   * The notifier for the host's {@code environment}, or empty when systemd did not ask for notifications.
   *
   * @param pid the host's pid, compared with {@code WATCHDOG_PID}
   * @param liveness the host's liveness: the watchdog is fed only while it passes
   */
  static Optional<SystemdNotifier> from(Map<String, String> environment, long pid,
                                        Supplier<Optional<String>> liveness) {
    requireNonNull(liveness, "liveness");
    String socket = environment.getOrDefault(NOTIFY_SOCKET, "");
    if (socket.isEmpty()) {
      return Optional.empty();
    }
    Duration watchdog = null;
    String usec = environment.getOrDefault(WATCHDOG_USEC, "");
    String forPid = environment.getOrDefault(WATCHDOG_PID, "");
    if (!usec.isEmpty() && (forPid.isEmpty() || forPid.equals(Long.toString(pid)))) {
      try {
        long micros = Long.parseLong(usec.strip());
        watchdog = micros > 0 ? Duration.ofNanos(micros * 1000) : null;
      } catch (NumberFormatException e) {
        log.atWarn().log(WATCHDOG_USEC + "='" + usec + "' is not a number of microseconds: no watchdog pings");
      }
    }
    return Optional.of(new SystemdNotifier(socket, watchdog, liveness));
  }

  /** {@code environment} without systemd's variables for the host ({@code NOTIFY_SOCKET}, the watchdog's). */
  static Map<String, String> childEnvironment(Map<String, String> environment) {
    if (!environment.containsKey(NOTIFY_SOCKET) && !environment.containsKey(WATCHDOG_USEC)
        && !environment.containsKey(WATCHDOG_PID)) {
      return environment;
    }
    Map<String, String> child = new HashMap<>(environment);
    child.keySet().removeAll(List.of(NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID));
    return child;
  }

  /** The watchdog period systemd asked for, or null. */
  Duration watchdog() {
    return watchdog;
  }

  /** Starts the watchdog pings, if systemd asked for them. */
  void start() {
    if (watchdog == null) {
      return;
    }
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
        NamedThreads.daemon("systemd-watchdog"));
    executor.setRemoveOnCancelPolicy(true);
    long every = Math.max(1, watchdog.toNanos() / 2);
    executor.scheduleAtFixedRate(this::feedWatchdog, 0, every, TimeUnit.NANOSECONDS);
    pinger = executor;
  }

  void feedWatchdog() {
    if (stopping) {
      return;
    }
    Optional<String> failure = liveness.get();
    if (failure.isEmpty()) {
      send("WATCHDOG=1");
    } else {
      log.atWarn().addKeyValue("reason", failure.get()).log("not live: systemd's watchdog is not fed");
    }
  }

  @Override
  public void stateChanged(SupervisorState from, SupervisorSnapshot snapshot) {
    SupervisorState state = snapshot.state();
    String status = "STATUS=python service " + state.name().toLowerCase(Locale.ROOT) + ": " + snapshot.detail();
    if ((state == SupervisorState.RUNNING || state == SupervisorState.OVERLAPPING) && ready.compareAndSet(false, true)
        && !stopping) {
      send("READY=1\n" + status);
    } else {
      send(status);
    }
  }

  /** The shutdown began: {@code STOPPING=1}, and no more watchdog pings. */
  void stopping(String reason) {
    if (!stopping) {
      stopping = true;
      send("STOPPING=1\nSTATUS=stopping: " + reason);
    }
  }

  private void send(String message) {
    try {
      NativeSockets.send(socket, message);
    } catch (IOException | RuntimeException | LinkageError e) {
      if (warned.compareAndSet(false, true)) {
        log.atWarn().addKeyValue(NOTIFY_SOCKET, socket).log("cannot notify systemd (" + e.getMessage()
            + "); further failures are not logged");
      }
    }
  }

  @Override
  public void close() {
    ScheduledExecutorService current = pinger;
    if (current != null) {
      current.shutdownNow();
    }
  }
}
