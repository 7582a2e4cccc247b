package ru.txix.isp.pywrapper.cluster.etp;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.protocols.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/**
 * An ETP client connection: a WebSocket carrying {@code name||ackId||data} text messages.
 *
 * <p>Reading (one thread per connection): messages are joined from their fragments up to
 * {@link EtpSettings#readLimit()} — a larger one closes the connection with 1009 — and decoded;
 * acknowledgements complete their waiters right there, every other event goes to
 * {@link Handler#onEvent}, which must not block. Writing is thread-safe; ack ids count from 1 per connection.
 * Liveness: a ping every {@link EtpSettings#pingInterval()}; no pong within
 * {@link EtpSettings#pongTimeout()} ends the connection. {@link #closed()} completes exactly once, however
 * the connection ends.
 *
 * <p>The WebSocket is Java-WebSocket's client rather than the JDK's: the JDK refuses to send close code 1009
 * ({@code IllegalArgumentException: statusCode}), which ETP uses for oversized messages.
 */
public final class EtpConnection {
  private static final Logger log = LoggerFactory.getLogger(EtpConnection.class);

  /** Receives what the peer sends. Called on the connection's reader thread, one call at a time. */
  public interface Handler {
    /** An event that is not an acknowledgement. Must return quickly. */
    void onEvent(EtpConnection connection, EtpMessage message);

    /** A text message that is not an ETP frame; the connection goes on. */
    void onMalformed(EtpConnection connection, EtpFormatException error);
  }

  private final EtpSettings settings;
  private final Scheduler scheduler;
  private final Handler handler;
  private final Socket socket;
  private final CompletableFuture<Void> opened = new CompletableFuture<>();
  private final CompletableFuture<EtpClosed> closed = new CompletableFuture<>();
  /** Completes when the socket itself is gone (after the close handshake, or dropped). */
  private final CompletableFuture<Void> disconnected = new CompletableFuture<>();
  private final Map<Long, CompletableFuture<String>> acks = new ConcurrentHashMap<>();
  private final AtomicLong nextAckId = new AtomicLong(1);
  private volatile boolean awaitingPong;
  private volatile Cancellable pingTimer = Cancellable.NONE;
  private volatile boolean closingByUs;

  private EtpConnection(URI uri, EtpSettings settings, Scheduler scheduler, Handler handler) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.handler = handler;
    this.socket = new Socket(uri, settings.readLimit());
  }

  /**
   * Connects, waiting up to the connect timeout.
   *
   * @throws IOException naming the address and why the connection could not be made
   */
  public static EtpConnection open(URI uri, EtpSettings settings, Scheduler scheduler, Handler handler)
      throws IOException {
    EtpConnection connection = new EtpConnection(uri, settings, scheduler, handler);
    connection.socket.connect();
    try {
      connection.opened.get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      connection.socket.abandon();
      throw new IOException("no connection to " + uri.getAuthority() + " within "
          + settings.connectTimeout().toMillis() + "ms");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connection.socket.abandon();
      throw new IOException("interrupted while connecting to " + uri.getAuthority());
    }
    connection.schedulePing();
    return connection;
  }

  /** Sends an event without asking for an acknowledgement. */
  public void emit(String name, String data) {
    send(new EtpMessage(name, 0, data));
  }

  /**
   * Sends an event and completes with the peer's acknowledgement data ({@code ""} when it sent none); fails
   * with a {@link TimeoutException} after {@code timeout}, or when the connection ends first.
   */
  public CompletableFuture<String> emitWithAck(String name, String data, Duration timeout) {
    long id = nextAckId.getAndIncrement();
    CompletableFuture<String> ack = new CompletableFuture<>();
    acks.put(id, ack);
    Cancellable timer = scheduler.schedule(timeout, () -> ack.completeExceptionally(
        new TimeoutException("no acknowledgement of " + name + " within " + timeout.toMillis() + "ms")));
    ack.whenComplete((result, error) -> {
      acks.remove(id);
      timer.cancel();
    });
    try {
      send(new EtpMessage(name, id, data));
    } catch (RuntimeException e) {
      ack.completeExceptionally(e);
    }
    if (closed.isDone()) {
      ack.completeExceptionally(new IllegalStateException("connection " + closed.join()));
    }
    return ack;
  }

  /** Sends a message (an acknowledgement, say); ignored once the connection is closing. */
  public void send(EtpMessage message) {
    if (socket.isOpen()) {
      try {
        socket.send(EtpCodec.encode(message));
      } catch (RuntimeException e) {
        log.debug("send on a closing connection: {}", e.toString());
      }
    }
  }

  /** Completes once the connection has ended, however it ended. */
  public CompletableFuture<EtpClosed> closed() {
    return closed;
  }

  /** Closes normally (1000); the socket is dropped a second later at the latest. */
  public void close() {
    end(EtpClosed.NORMAL, "");
  }

  /**
   * Waits up to {@code timeout} for the socket to be gone after {@link #close} (the peer answering the close
   * handshake), then drops it; true if the peer answered in time. For the owner's shutdown, whose timers may not
   * outlive it to drop the socket later.
   */
  public boolean awaitDisconnected(Duration timeout) {
    try {
      disconnected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      socket.closeConnection(EtpClosed.NORMAL, "no answer to the close within " + timeout.toMillis() + "ms");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      socket.closeConnection(EtpClosed.NORMAL, "interrupted");
      return false;
    }
  }

  private void end(int code, String reason) {
    if (closed.isDone()) {
      return;
    }
    closingByUs = true;
    if (socket.isOpen()) {
      socket.close(code, reason);
      scheduler.schedule(Duration.ofSeconds(1), () -> socket.closeConnection(code, reason));
    } else {
      socket.closeConnection(code, reason);
    }
    finish(new EtpClosed(code, reason, true));
  }

  private void finish(EtpClosed how) {
    opened.completeExceptionally(new IOException("connection " + how));
    if (closed.complete(how)) {
      pingTimer.cancel();
      IllegalStateException gone = new IllegalStateException("connection " + how);
      acks.values().forEach(ack -> ack.completeExceptionally(gone));
    }
  }

  private void schedulePing() {
    pingTimer = scheduler.schedule(settings.pingInterval(), this::ping);
  }

  private void ping() {
    if (closed.isDone()) {
      return;
    }
    awaitingPong = true;
    try {
      socket.sendPing();
    } catch (RuntimeException e) {
      return; // the connection is ending; onClose reports it
    }
    pingTimer = scheduler.schedule(settings.pongTimeout(), () -> {
      if (awaitingPong && !closed.isDone()) {
        String reason = "no pong within " + settings.pongTimeout().toMillis() + "ms";
        log.atWarn().addKeyValue("timeout", settings.pongTimeout().toMillis() + "ms")
            .log("ping config service: " + reason + ", closing the connection");
        closingByUs = true;
        socket.closeConnection(EtpClosed.ABNORMAL, reason);
        finish(new EtpClosed(EtpClosed.ABNORMAL, reason, true));
      }
    });
  }

  private void dispatch(String frame) {
    EtpMessage message;
    try {
      message = EtpCodec.decode(frame);
    } catch (EtpFormatException e) {
      handler.onMalformed(this, e);
      return;
    }
    if (message.isAck()) {
      CompletableFuture<String> ack = acks.get(message.ackId());
      if (ack != null) {
        ack.complete(message.data());
      } else {
        log.debug("acknowledgement {} of {} matches nothing (late or unknown)", message.ackId(), message.name());
      }
      return;
    }
    handler.onEvent(this, message);
  }

  /** The WebSocket client: its callbacks run on its reader thread. */
  private final class Socket extends WebSocketClient {
    Socket(URI uri, int readLimit) {
      // Draft_6455's frame limit applies to single frames and to joined fragments alike; beyond it the
      // library closes with 1009.
      super(uri, new Draft_6455(List.of(), List.of(new Protocol("")), readLimit), Map.of(),
          (int) settings.connectTimeout().toMillis());
      setConnectionLostTimeout(0); // liveness is ours: see ping()
      setTcpNoDelay(true);
      setDaemon(true);
    }

    /** Gives up on a connection being made: closes the raw socket too, so no thread stays behind. */
    void abandon() {
      closeConnection(EtpClosed.ABNORMAL, "connect timeout");
      java.net.Socket raw = getSocket();
      if (raw != null) {
        try {
          raw.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
      opened.complete(null);
    }

    @Override
    public void onMessage(String message) {
      dispatch(message);
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
      dispatch(StandardCharsets.UTF_8.decode(bytes).toString()); // ETP readers ignore the frame type
    }

    @Override
    public void onWebsocketPong(WebSocket connection, Framedata frame) {
      awaitingPong = false;
      pingTimer.cancel();
      schedulePing();
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
      disconnected.complete(null);
      if (code == EtpClosed.TOO_BIG && !remote) {
        log.atError().addKeyValue("limit", settings.readLimit()).log("message from config service exceeds the "
            + "read limit of " + settings.readLimit() + " bytes: connection closed with 1009");
      }
      finish(new EtpClosed(code, reason == null ? "" : reason, !remote || closingByUs));
    }

    @Override
    public void onError(Exception error) {
      log.debug("websocket error: {}", error.toString());
      opened.completeExceptionally(error);
    }
  }
}
