package ru.txix.isp.pywrapper.cluster;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import ru.txix.isp.pywrapper.cluster.SessionFailedException.Kind;
import ru.txix.isp.pywrapper.cluster.etp.EtpClosed;
import ru.txix.isp.pywrapper.cluster.etp.EtpCodec;
import ru.txix.isp.pywrapper.cluster.etp.EtpConnection;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.RepeatedFailures;
import ru.txix.isp.pywrapper.internal.config.RemoteConfigSink;
import ru.txix.isp.pywrapper.internal.net.HostPort;
import ru.txix.isp.pywrapper.internal.time.ExecutorScheduler;

/**
 * The module's link to isp-config-service: one session after another, for as long as it runs.
 *
 * <p>A session ({@link ConfigServiceSession}) connects over ETP, sends the config schema and the
 * requirements, waits for the config and the required modules' addresses, waits for the Python service to
 * accept connections, and sends {@code MODULE:READY}; then the module is routable until the connection
 * ends.
 *
 * <p>Failover. Hosts are tried round robin from a random start, so after a failure the other hosts come before
 * the one that just failed. A session ends as soon as it cannot serve the module — the host cannot be reached,
 * it answers a module event with an error instead of {@code ok} (a node of a raft cluster in the middle of an
 * election: {@code resolve module id: value for key moduleId not found}), the first config does not come within
 * the config timeout, the connection ends — and the next host is tried at once. Only when every host has failed
 * in a row (the end of an active session counts as its host's failure) does the client pause before the next
 * round, and no host gets two sessions within that pause: {@code reconnectDelay} (1 s; with one host a session
 * at most every second, as isp-kit's), or {@code electionRetryDelay} (250 ms) while a node of a cluster refused
 * the module in the last round during the first {@code electionWindow} (10 s) of an outage — a raft election,
 * over in a second or two, which the module should not miss by a second. A node that keeps refusing is retried
 * every {@code reconnectDelay} after that.
 *
 * <p>Logs tell the story at INFO: the end of an active session and where it fails over to; a refusal once per
 * outage in the service's own words; one WARN when no host can serve the module, then one summary per 30 s
 * naming every host tried; one line when the module is READY again, with what happened in between. The steps
 * of sessions within an outage are logged at debug.
 *
 * <p>Threads: "config-service" runs the sessions; "etp-config" and "etp-hosts" apply incoming configs and
 * host lists in arrival order; each connection has a reader and a writer thread of its own.
 */
public final class ClusterClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterClient.class);
  private static final String INACTIVE = "session inactive";

  private final List<HostPort> hosts;
  private final ModuleDeclaration declaration;
  private final RemoteConfigSink configs;
  private final ClusterHandler handler;
  private final ClusterListener listener;
  private final ClusterSettings settings;
  private final ExecutorScheduler timers = new ExecutorScheduler("etp-timer");
  private final ExecutorService configLane = Executors.newSingleThreadExecutor(NamedThreads.daemon("etp-config"));
  private final ExecutorService hostsLane = Executors.newSingleThreadExecutor(NamedThreads.daemon("etp-hosts"));
  private final Random random;
  private final LongSupplier nanoTime;
  private final Object pause = new Object();
  private final Thread loop;
  private volatile boolean closed;
  private volatile boolean active;
  /** Why no session is active, for health; read on any thread. */
  private volatile String inactive = INACTIVE;
  /** Set once a config was accepted, in any session: a later session's rejected first config need not hold it. */
  private volatile boolean configAccepted;
  /** The latest connection, kept after its session ends: {@link #close} waits for its socket to be gone. */
  private volatile EtpConnection connection;

  // Confined to the "config-service" thread.
  private int next;
  /** Session ends in a row with no session becoming active in between (an active session's end counts). */
  private int failedInARow;
  /** The outage in progress: null while a session is active, and before the first session ends. */
  private Outage outage;
  private final Map<HostPort, Long> lastStart = new HashMap<>();
  private final RepeatedFailures failures;

  /** {@code configs} gets every config the config service sends, {@code handler} the host lists. */
  public ClusterClient(List<HostPort> hosts, ModuleDeclaration declaration, RemoteConfigSink configs,
                       ClusterHandler handler, ClusterListener listener, ClusterSettings settings) {
    this(hosts, declaration, configs, handler, listener, settings, new Random(), System::nanoTime);
  }

  /**
   * For testing: {@code random} picks the first host ({@code nextInt(hosts)}) and the session ids;
   * {@code nanoTime} is the clock of the outage's accounting and its 30 s summaries.
   */
  ClusterClient(List<HostPort> hosts, ModuleDeclaration declaration, RemoteConfigSink configs, ClusterHandler handler,
                ClusterListener listener, ClusterSettings settings, Random random, LongSupplier nanoTime) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one config-service address is needed");
    }
    this.hosts = List.copyOf(hosts);
    this.declaration = requireNonNull(declaration, "declaration");
    this.configs = requireNonNull(configs, "configs");
    this.handler = requireNonNull(handler, "handler");
    this.listener = requireNonNull(listener, "listener");
    this.settings = requireNonNull(settings, "settings");
    this.random = requireNonNull(random, "random");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.failures = new RepeatedFailures(RepeatedFailures.DEFAULT_INTERVAL, nanoTime);
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
   * Empty while a session is active; otherwise why not, for health: {@code session inactive} and, once a session
   * has ended or failed, what happened last ({@code session inactive: 3 failed attempts in 2150ms; last:
   * 127.0.0.1:9002: refused MODULE:SEND_CONFIG_SCHEMA: …}).
   */
  public Optional<String> inactiveReason() {
    return active ? Optional.empty() : Optional.of(inactive);
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

  /** A session's config was accepted. */
  void configAccepted() {
    configAccepted = true;
  }

  /** True once a config was accepted, in this session or an earlier one: one is in effect. */
  boolean anyConfigAccepted() {
    return configAccepted;
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
      long began = nanoTime.getAsLong();
      lastStart.put(host, began);
      byte[] id = new byte[16];
      random.nextBytes(id);
      String sessionId = HexFormat.of().formatHex(id);
      // Within an outage the sessions' steps are details: the story is told by the lines below.
      boolean quiet = outage != null;
      (quiet ? log.atDebug() : log.atInfo()).addKeyValue("sessionId", sessionId)
          .addKeyValue("configService", host.toString()).log("run config service session");
      if (outage == null) {
        inactive = INACTIVE + ": connecting to " + host;
      }
      listener.sessionStarting(host.toString(), sessionId);
      String reason;
      boolean normal = false;
      SessionFailedException failure = null;
      boolean wasActive;
      try {
        ConfigServiceSession session = new ConfigServiceSession(this, host, sessionId, uri(host), declaration,
            configs, handler, listener, settings, timers, configLane, hostsLane, quiet);
        EtpClosed ended = session.run();
        reason = ended.toString();
        normal = ended.normal();
      } catch (SessionFailedException e) {
        failure = e;
        reason = e.getMessage();
      } catch (RuntimeException e) {
        failure = new SessionFailedException("unexpected error: " + e, e);
        reason = failure.getMessage();
        log.atError().setCause(e).log("config service session failed");
      } finally {
        wasActive = active;
        active = false;
        EtpConnection current = connection;
        if (current != null) {
          current.close();
        }
      }
      if (closed) {
        log.atInfo().addKeyValue("sessionId", sessionId).addKeyValue("configService", host.toString())
            .addKeyValue("reason", reason).log("config service session stopped");
        listener.sessionEnded(host.toString(), sessionId, reason, normal);
        return;
      }
      Duration delay = wasActive || failure == null ? activeSessionEnded(host, sessionId, reason)
          : attemptFailed(host, sessionId, began, failure);
      listener.sessionEnded(host.toString(), sessionId, reason, normal);
      if (!sleep(delay)) {
        return;
      }
    }
  }

  /** An active session ended (not by {@link #close}): one INFO line, then the failover. */
  private Duration activeSessionEnded(HostPort host, String sessionId, String reason) {
    long now = nanoTime.getAsLong();
    outage = Outage.afterSession(now, host.toString(), reason);
    failedInARow = 1;
    HostPort following = hosts.get(next);
    Duration delay = delayBefore(following, now);
    String then = hosts.size() > 1 ? "failing over to " + following + (delay.isZero() ? "" : " in " + text(delay))
        : "reconnecting in " + text(delay);
    log.atInfo().addKeyValue("sessionId", sessionId).addKeyValue("configService", host.toString())
        .addKeyValue("reason", reason).addKeyValue("next", following.toString())
        .log("config service session with " + host + " ended (" + reason + "); " + then);
    inactive = INACTIVE + ": the session with " + host + " ended (" + EtpCodec.quote(reason) + ")";
    return delay;
  }

  /**
   * A session failed before it became active. Logged: the first failure of an outage, each refusal the first
   * time its words are seen, one WARN once every host has failed in a row, then a summary per 30 s; the rest at
   * debug.
   */
  private Duration attemptFailed(HostPort host, String sessionId, long began, SessionFailedException failure) {
    long now = nanoTime.getAsLong();
    if (outage == null) {
      outage = Outage.atStart(began);
    }
    failedInARow++;
    String message = failure.getMessage();
    outage.failed(host.toString(), failure.kind(), message);
    HostPort following = hosts.get(next);
    Duration delay = delayBefore(following, now);
    boolean noHostLeft = failedInARow >= hosts.size();
    String then = failedInARow % hosts.size() == 0 ? "retrying in " + text(delay)
        : "trying " + following + " next" + (delay.isZero() ? "" : " in " + text(delay));
    boolean newRefusal = failure.kind() == Kind.REFUSED && outage.firstRefusal(message);
    RepeatedFailures.Verdict verdict = failures.failed();
    LoggingEventBuilder line;
    String text;
    if (verdict instanceof RepeatedFailures.Summary) {
      line = log.atWarn().addKeyValue("attempts", outage.failedAttempts());
      text = "still no config service available: " + Outage.plural(outage.failedAttempts(), "failed attempt",
          "failed attempts") + " in " + text(outage.since(now)) + " (" + outage.tallies() + "); last: "
          + outage.lastFailure() + "; " + then;
    } else if (noHostLeft && outage.firstWarning()) {
      line = log.atWarn();
      text = "no config service available: " + outage.lastFailureByHost() + "; " + then;
    } else if (newRefusal || verdict instanceof RepeatedFailures.First) {
      line = noHostLeft ? log.atWarn() : log.atInfo();
      text = (failure.kind() == Kind.REFUSED ? "config service " + host + " " + message
          : "config service session with " + host + " failed: " + message) + "; " + then;
    } else {
      line = log.atDebug();
      text = "config service session with " + host + " failed: " + message + "; " + then;
    }
    line.addKeyValue("sessionId", sessionId)
        .addKeyValue("configService", String.join(", ", outage.hostsTried()))
        .addKeyValue("reason", message)
        .log(text);
    inactive = INACTIVE + ": " + Outage.plural(outage.failedAttempts(), "failed attempt", "failed attempts")
        + " in " + text(outage.since(now)) + "; last: " + EtpCodec.quote(outage.lastFailure());
    return delay;
  }

  /**
   * Nothing while other hosts are left to try; the {@linkplain #retryDelay retry delay} once every host has failed
   * in a row; never less than that since the last session with {@code host} began.
   */
  private Duration delayBefore(HostPort host, long now) {
    long delay = retryDelay(now).toNanos();
    long wait = failedInARow % hosts.size() == 0 ? delay : 0;
    Long last = lastStart.get(host);
    if (last != null) {
      wait = Math.max(wait, last + delay - now);
    }
    return Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(Math.max(0, wait)));
  }

  /** {@code electionRetryDelay} early in an outage of a cluster whose nodes refuse; else {@code reconnectDelay}. */
  private Duration retryDelay(long now) {
    boolean election = hosts.size() > 1 && outage != null && outage.refusedInTheLast(hosts.size())
        && outage.since(now).compareTo(settings.electionWindow()) < 0;
    return election ? settings.electionRetryDelay() : settings.reconnectDelay();
  }

  /** False when the client was closed (or interrupted) meanwhile. */
  private boolean sleep(Duration delay) {
    long deadline = System.nanoTime() + delay.toNanos();
    synchronized (pause) {
      long left;
      while (!closed && (left = deadline - System.nanoTime()) > 0) {
        try {
          pause.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !closed;
  }

  /** Called by the session once {@code MODULE:READY} is acknowledged: the one line of the module's readiness. */
  void activated(HostPort host, String sessionId) {
    active = true;
    failedInARow = 0;
    failures.succeeded();
    Outage was = outage;
    outage = null;
    inactive = INACTIVE;
    LoggingEventBuilder line = log.atInfo().addKeyValue("sessionId", sessionId)
        .addKeyValue("configService", host.toString());
    if (was == null) {
      line.log("module ready: config service session active");
      return;
    }
    Duration took = was.since(nanoTime.getAsLong());
    String attempts = Outage.plural(was.failedAttempts(), "failed attempt", "failed attempts");
    String between = was.failedAttempts() == 0 ? "no failed attempt in between"
        : attempts + " in between (" + was.tallies() + ")";
    String text = was.endedHost() != null
        ? "module ready again: config service session active on " + host + ", " + text(took)
            + " after the session with " + was.endedHost() + " ended; " + between
        : "module ready: config service session active on " + host + " after " + attempts + " in " + text(took)
            + " (" + was.tallies() + ")";
    line.addKeyValue("failedAttempts", was.failedAttempts())
        .addKeyValue("refusals", was.count(Kind.REFUSED))
        .addKeyValue("configTimeouts", was.count(Kind.CONFIG_TIMEOUT))
        .addKeyValue("hostsTried", String.join(", ", was.hostsTried()))
        .addKeyValue("outageMs", took.toMillis())
        .log(text);
  }

  private static String text(Duration duration) {
    return Outage.text(duration);
  }

  /** {@code ws://<host>:<port>/isp-etp/?module_name=<name>}. */
  URI uri(HostPort host) {
    return URI.create("ws://" + host + ClusterEvents.ETP_PATH + "?" + ClusterEvents.MODULE_NAME_PARAMETER + "="
        + URLEncoder.encode(declaration.moduleName(), StandardCharsets.UTF_8));
  }
}
