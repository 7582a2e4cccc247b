package ru.txix.isp.pywrapper.cluster;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.cluster.etp.EtpClosed;
import ru.txix.isp.pywrapper.cluster.etp.EtpConnection;
import ru.txix.isp.pywrapper.config.HostPort;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.RepeatedFailures;
import ru.txix.isp.pywrapper.internal.time.ExecutorScheduler;

/**
 * The module's link to isp-config-service: one session after another, for as long as it runs.
 *
 * <p>A session ({@link ConfigServiceSession}) connects over ETP, sends the config schema and the
 * requirements, waits for the config and the required modules' addresses, waits for the Python service to
 * accept connections, and sends {@code MODULE:READY}; then the module is routable until the connection
 * ends. Any end of a session is followed by a new one 1 s later, on the next config-service host (round
 * robin from a random start).
 *
 * <p>Threads: "config-service" runs the sessions; "etp-config" and "etp-hosts" apply incoming configs and
 * host lists in arrival order; each connection has a reader and a writer thread of its own.
 */
public final class ClusterClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterClient.class);

  private final List<HostPort> hosts;
  private final ModuleDeclaration declaration;
  private final ClusterHandler handler;
  private final ClusterListener listener;
  private final ClusterSettings settings;
  private final ExecutorScheduler timers = new ExecutorScheduler("etp-timer");
  private final ExecutorService configLane = Executors.newSingleThreadExecutor(NamedThreads.daemon("etp-config"));
  private final ExecutorService hostsLane = Executors.newSingleThreadExecutor(NamedThreads.daemon("etp-hosts"));
  private final Random random = new Random();
  private final Object pause = new Object();
  private final Thread loop;
  private int next;
  private volatile boolean closed;
  private volatile boolean active;
  /** The latest connection, kept after its session ends: {@link #close} waits for its socket to be gone. */
  private volatile EtpConnection connection;
  /** Confined to the "config-service" thread. */
  private final RepeatedFailures failures = new RepeatedFailures(RepeatedFailures.DEFAULT_INTERVAL, System::nanoTime);

  public ClusterClient(List<HostPort> hosts, ModuleDeclaration declaration, ClusterHandler handler,
                       ClusterListener listener, ClusterSettings settings) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one config-service address is needed");
    }
    this.hosts = List.copyOf(hosts);
    this.declaration = requireNonNull(declaration, "declaration");
    this.handler = requireNonNull(handler, "handler");
    this.listener = requireNonNull(listener, "listener");
    this.settings = requireNonNull(settings, "settings");
    this.next = random.nextInt(hosts.size());
    this.loop = NamedThreads.daemon("config-service").newThread(this::run);
  }

  public void start() {
    loop.start();
  }

  /** True between the acknowledgement of {@code MODULE:READY} and the end of that session. */
  public boolean sessionActive() {
    return active;
  }

  /**
   * Ends the current session with a normal close (1000) and stops reconnecting; returns once the connection's
   * socket is gone (the config service answered the close, or 1 s passed and it was dropped).
   */
  @Override
  public void close() {
    closed = true;
    EtpConnection current = connection;
    if (current != null) {
      current.close();
    }
    synchronized (pause) {
      pause.notifyAll();
    }
    try {
      loop.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    EtpConnection last = connection;
    if (last != null) {
      last.close();
      last.awaitDisconnected(Duration.ofSeconds(1));
    }
    configLane.shutdown();
    hostsLane.shutdown();
    try {
      configLane.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timers.close();
  }

  boolean closed() {
    return closed;
  }

  void connected(EtpConnection current) {
    connection = current;
    if (closed) {
      current.close();
    }
  }

  private void run() {
    while (!closed) {
      HostPort host = hosts.get(next);
      next = (next + 1) % hosts.size();
      byte[] id = new byte[16];
      random.nextBytes(id);
      String sessionId = HexFormat.of().formatHex(id);
      (failures.failing() ? log.atDebug() : log.atInfo()).addKeyValue("sessionId", sessionId)
          .addKeyValue("configService", host.toString()).log("run config service session");
      listener.sessionStarting(host.toString(), sessionId);
      String reason;
      boolean normal;
      boolean wasActive = false;
      try {
        ConfigServiceSession session = new ConfigServiceSession(this, host, sessionId, uri(host), declaration,
            handler, listener, settings, timers, configLane, hostsLane);
        EtpClosed closed = session.run();
        reason = closed.toString();
        normal = closed.normal();
      } catch (SessionFailedException e) {
        reason = e.getMessage();
        normal = false;
      } catch (RuntimeException e) {
        reason = "unexpected error: " + e;
        normal = false;
        log.atError().setCause(e).log("config service session failed");
      } finally {
        wasActive = active;
        active = false;
        EtpConnection current = connection;
        if (current != null) {
          current.close();
        }
      }
      report(host, sessionId, reason, normal, wasActive);
      listener.sessionEnded(host.toString(), sessionId, reason, normal);
      synchronized (pause) {
        if (!closed) {
          try {
            pause.wait(settings.reconnectDelay().toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  /**
   * Logs the end of a session: an active session's end in full; of a run of sessions that fail before they
   * become active (no config service reachable), the first in full, then one summary line per 30 s.
   */
  private void report(HostPort host, String sessionId, String reason, boolean normal, boolean wasActive) {
    if (normal || closed) {
      log.atInfo().addKeyValue("sessionId", sessionId).addKeyValue("configService", host.toString())
          .addKeyValue("reason", reason).log("config service session stopped");
      return;
    }
    if (wasActive) {
      failures.succeeded();
    }
    RepeatedFailures.Verdict verdict = failures.failed();
    if (verdict instanceof RepeatedFailures.First) {
      log.atError().addKeyValue("sessionId", sessionId).addKeyValue("configService", host.toString())
          .addKeyValue("reason", reason).log("config service session ended: " + reason
              + "; reconnecting every " + settings.reconnectDelay().toMillis() + "ms");
    } else if (verdict instanceof RepeatedFailures.Summary summary) {
      log.atWarn().addKeyValue("configService", host.toString()).addKeyValue("attempts", summary.attempts())
          .log("still cannot reach the config service (" + hostList() + "): " + summary.attempts()
              + " attempts in " + summary.since().toSeconds() + "s, last error: " + reason);
    } else {
      log.atDebug().addKeyValue("sessionId", sessionId).addKeyValue("reason", reason)
          .log("config service session ended");
    }
  }

  /** Called by the session once {@code MODULE:READY} is acknowledged. */
  void activated() {
    active = true;
    failures.succeeded().ifPresent(recovery -> log.atInfo().addKeyValue("attempts", recovery.failures())
        .log("config service reachable again after " + recovery.failures() + " failed attempts in "
            + recovery.after().toSeconds() + "s"));
  }

  private String hostList() {
    return String.join(", ", hosts.stream().map(HostPort::toString).toList());
  }

  /** {@code ws://<host>:<port>/isp-etp/?module_name=<name>}. */
  URI uri(HostPort host) {
    return URI.create("ws://" + host + ClusterEvents.ETP_PATH + "?" + ClusterEvents.MODULE_NAME_PARAMETER + "="
        + URLEncoder.encode(declaration.moduleName(), StandardCharsets.UTF_8));
  }
}
