package ru.txix.isp.pywrapper.testing;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import java.nio.ByteBuffer;
import org.java_websocket.WebSocket;
import org.java_websocket.enums.Opcode;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.cluster.etp.EtpCodec;
import ru.txix.isp.pywrapper.cluster.etp.EtpFormatException;
import ru.txix.isp.pywrapper.cluster.etp.EtpMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for isp-config-service over real loopback sockets: it serves ETP on {@code /isp-etp/}, answers
 * the module events as service 3.9.0 does (config pushed before the schema ack, addresses pushed with the
 * requirements, {@code ok} acks) and records every frame. Tests push configs and addresses, send raw frames,
 * drop connections, and stop answering pings.
 *
 * <p>Several instances made by {@link #cluster(int)} are the nodes of one config-service cluster: they share the
 * active configs and addresses (the service's replicated store), and a push reaches the module's connections on
 * every node. A node can refuse module events with the service's error text ({@link #refuse}), e.g. as a node in
 * the middle of a raft election does ({@link #midElection()}).
 */
public final class FakeConfigService implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One frame the service received. */
  public record Received(long connection, String module, EtpMessage message, Instant at) {
    public JsonNode json() {
      return JSON.readTree(message.data());
    }
  }

  private record Session(long id, String module, WebSocket socket, List<String> requires) {
  }

  /** What the nodes of one cluster share, as the real ones share their rqlite store. */
  private static final class Store {
    final Map<String, String> activeConfigs = new ConcurrentHashMap<>();
    final Map<String, String> addresses = new ConcurrentHashMap<>();
    final List<FakeConfigService> nodes = new CopyOnWriteArrayList<>();
  }

  /**
   * What a node of a raft cluster answers {@code MODULE:SEND_CONFIG_SCHEMA} (and {@code MODULE:READY}, with
   * {@code onModuleReady}) with in the middle of an election: it accepted the connection, but could not write the
   * module's row, so the connection has no module id. No config is pushed.
   */
  public static final String MID_ELECTION_REFUSAL =
      "handle onModuleConfigSchema: resolve module id: value for key moduleId not found";

  private final Server server;
  private final int port;
  private final Store store;
  private final Map<String, String> activeConfigs;
  private final Map<String, String> addresses;
  private final Map<String, String> refusals = new ConcurrentHashMap<>();
  private final AtomicBoolean withholdConfig = new AtomicBoolean();
  private final Map<WebSocket, Session> sessions = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> malformed = new CopyOnWriteArrayList<>();
  private final AtomicLong connectionIds = new AtomicLong();
  private final AtomicBoolean answerPings = new AtomicBoolean(true);
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger connects = new AtomicInteger();
  private final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
  private final List<Instant> closeTimes = new CopyOnWriteArrayList<>();
  private final Map<WebSocket, Instant> closingSince = new ConcurrentHashMap<>();

  public FakeConfigService(int port) {
    this(port, new Store());
  }

  private FakeConfigService(int port, Store store) {
    this.store = store;
    this.activeConfigs = store.activeConfigs;
    this.addresses = store.addresses;
    server = new Server(new InetSocketAddress("127.0.0.1", port));
    server.setReuseAddr(true);
    server.setConnectionLostTimeout(0);
    server.setDaemon(true);
    server.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.started);
    this.port = server.getPort();
    store.nodes.add(this);
  }

  public static FakeConfigService start() {
    return new FakeConfigService(0);
  }

  /** {@code nodes} instances on free ports, the nodes of one cluster (one store, pushes reach every node). */
  public static List<FakeConfigService> cluster(int nodes) {
    Store store = new Store();
    List<FakeConfigService> cluster = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      cluster.add(new FakeConfigService(0, store));
    }
    return List.copyOf(cluster);
  }

  /**
   * From now on {@code event} is acknowledged with {@code error} (the service's words) instead of {@code ok}, and
   * nothing else is done for it: a refused {@code MODULE:SEND_CONFIG_SCHEMA} pushes no config.
   */
  public void refuse(String event, String error) {
    refusals.put(event, error);
  }

  /**
   * Plays a node in the middle of a raft election: {@code MODULE:SEND_CONFIG_SCHEMA} refused with
   * {@link #MID_ELECTION_REFUSAL} and no config, {@code MODULE:READY} refused likewise.
   */
  public void midElection() {
    refuse(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA, MID_ELECTION_REFUSAL);
    refuse(ClusterEvents.MODULE_READY, "handle onModuleReady: resolve module id: value for key moduleId not found");
  }

  /** Answers every module event as a healthy node again. */
  public void stopRefusing() {
    refusals.clear();
  }

  /** While set, {@code MODULE:SEND_CONFIG_SCHEMA} is acknowledged with {@code ok} but no config is pushed. */
  public void withholdConfig(boolean withhold) {
    withholdConfig.set(withhold);
  }

  public int port() {
    return server.getPort();
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  /** The active config of {@code module}; without one, the module's first default config becomes it. */
  public void setActiveConfig(String module, String json) {
    activeConfigs.put(module, json);
  }

  /** The current addresses of {@code module} as the service sends them: {@code [{"ip":..,"port":..}]}. */
  public void setAddresses(String module, String jsonArray) {
    addresses.put(module, jsonArray);
  }

  /** An admin changed the config: store it and push {@code CONFIG:SEND_CONFIG_CHANGED} to the module. */
  public void pushConfig(String module, String json) {
    activeConfigs.put(module, json);
    store.nodes.forEach(node -> node.sessionsOf(module)
        .forEach(s -> send(s, ClusterEvents.CONFIG_SEND_CONFIG_CHANGED, json)));
  }

  /** {@code required} changed its backends: push its addresses to every module requiring it. */
  public void pushAddresses(String required, String jsonArray) {
    addresses.put(required, jsonArray);
    store.nodes.forEach(node -> node.sessions.values().stream().filter(s -> s.requires().contains(required))
        .forEach(s -> send(s, ClusterEvents.moduleConnected(required), jsonArray)));
  }

  /** Sends {@code frame} as is to every connection. */
  public void sendRaw(String frame) {
    sessions.keySet().forEach(socket -> socket.send(frame));
  }

  /** Sends {@code prefix} and then {@code fragments × size} characters as one message in several frames. */
  public void sendFragmented(String prefix, int fragments, int size) {
    sessions.keySet().forEach(socket -> {
      socket.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(prefix.getBytes(StandardCharsets.UTF_8)), false);
      for (int i = 0; i < fragments; i++) {
        socket.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap("f".repeat(size).getBytes(StandardCharsets.UTF_8)),
            i == fragments - 1);
      }
    });
  }

  /** Closes every connection with a TCP drop (no close frame). */
  public void dropAll() {
    sessions.keySet().forEach(socket -> socket.closeConnection(1006, "dropped by the test"));
  }

  /** Closes every connection normally (1000). */
  public void closeAll() {
    sessions.keySet().forEach(socket -> socket.close(1000));
  }

  public void answerPings(boolean answer) {
    answerPings.set(answer);
  }

  public int pingsReceived() {
    return pings.get();
  }

  public int connects() {
    return connects.get();
  }

  public int openConnections() {
    return sessions.size();
  }

  /** Close codes of connections that ended, as this side saw them. */
  public List<Integer> closeCodes() {
    return List.copyOf(closeCodes);
  }

  /**
   * When connections began to end (the peer's close frame arrived, or the drop was seen), in the order of
   * {@link #closeCodes()}.
   */
  public List<Instant> closeTimes() {
    return List.copyOf(closeTimes);
  }

  public List<String> malformed() {
    return List.copyOf(malformed);
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public List<Received> received(String event) {
    return received.stream().filter(r -> r.message().name().equals(event)).collect(Collectors.toList());
  }

  /** Waits for a frame named {@code event} matching {@code filter} and returns the first such. */
  public Received await(String event, Predicate<Received> filter, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10))
        .until(() -> received(event).stream().anyMatch(filter));
    return received(event).stream().filter(filter).findFirst().orElseThrow();
  }

  public Received await(String event, Duration timeout) {
    return await(event, r -> true, timeout);
  }

  /**
   * Dies abruptly, as with {@code kill -9}: every connection is dropped without a close frame and the port
   * stops listening. {@link #restart()} brings a new instance up on the same port with the same state.
   */
  public void kill() {
    dropAll();
    close();
  }

  /** A new instance on the same port, in the same cluster: it knows the same active configs and addresses. */
  public FakeConfigService restart() {
    store.nodes.remove(this);
    return new FakeConfigService(port, store);
  }

  @Override
  public void close() {
    try {
      server.stop(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<Session> sessionsOf(String module) {
    return sessions.values().stream().filter(s -> s.module().equals(module)).collect(Collectors.toList());
  }

  private static void send(Session session, String event, String data) {
    if (session.socket().isOpen()) {
      session.socket().send(EtpCodec.encode(new EtpMessage(event, 0, data)));
    }
  }

  private void handle(Session session, EtpMessage message) {
    String reply = ClusterEvents.ACK_OK;
    String refusal = refusals.get(message.name());
    if (refusal != null) {
      if (message.wantsAck()) {
        session.socket().send(EtpCodec.encode(message.ack(refusal)));
      }
      return;
    }
    switch (message.name()) {
      case ClusterEvents.MODULE_SEND_CONFIG_SCHEMA -> {
        JsonNode data = JSON.readTree(message.data());
        activeConfigs.putIfAbsent(session.module(), data.get("config").toString());
        if (!withholdConfig.get()) {
          send(session, ClusterEvents.CONFIG_SEND_CONFIG_WHEN_CONNECTED, activeConfigs.get(session.module()));
        }
      }
      case ClusterEvents.MODULE_SEND_REQUIREMENTS -> {
        JsonNode data = JSON.readTree(message.data());
        List<String> requires = new ArrayList<>();
        data.get("requiredModules").forEach(m -> requires.add(m.asString()));
        Session updated = new Session(session.id(), session.module(), session.socket(), requires);
        sessions.put(session.socket(), updated);
        requires.forEach(m -> send(updated, ClusterEvents.moduleConnected(m), addresses.getOrDefault(m, "[]")));
      }
      case ClusterEvents.MODULE_READY -> {
        // the backend is registered; nothing is sent back but the ack
      }
      default -> reply = message.name().startsWith(EtpMessage.ACK_PREFIX) ? null : "";
    }
    if (reply != null && message.wantsAck()) {
      session.socket().send(EtpCodec.encode(message.ack(reply)));
    }
  }

  private final class Server extends WebSocketServer {
    volatile boolean started;

    Server(InetSocketAddress address) {
      super(address);
    }

    @Override
    public void onOpen(WebSocket socket, ClientHandshake handshake) {
      connects.incrementAndGet();
      URI uri = URI.create(handshake.getResourceDescriptor());
      String module = "";
      if (uri.getRawQuery() != null) {
        for (String pair : uri.getRawQuery().split("&")) {
          if (pair.startsWith(ClusterEvents.MODULE_NAME_PARAMETER + "=")) {
            module = URLDecoder.decode(pair.substring(pair.indexOf('=') + 1), StandardCharsets.UTF_8);
          }
        }
      }
      if (!uri.getPath().equals(ClusterEvents.ETP_PATH) || module.isEmpty()) {
        socket.close(1000);
        return;
      }
      sessions.put(socket, new Session(connectionIds.incrementAndGet(), module, socket, List.of()));
    }

    @Override
    public void onMessage(WebSocket socket, String text) {
      Session session = sessions.get(socket);
      if (session == null) {
        return;
      }
      try {
        EtpMessage message = EtpCodec.decode(text);
        received.add(new Received(session.id(), session.module(), message, Instant.now()));
        handle(session, message);
      } catch (EtpFormatException e) {
        malformed.add(text);
      }
    }

    @Override
    public void onWebsocketPing(WebSocket socket, Framedata frame) {
      pings.incrementAndGet();
      if (answerPings.get()) {
        super.onWebsocketPing(socket, frame);
      }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason, boolean remote) {
      sessions.remove(socket);
      closeCodes.add(code);
      Instant began = closingSince.remove(socket);
      closeTimes.add(began != null ? began : Instant.now());
    }

    @Override
    public void onError(WebSocket socket, Exception error) {
      if (socket != null) {
        sessions.remove(socket);
      }
    }

    @Override
    public void onClosing(WebSocket socket, int code, String reason, boolean remote) {
      closingSince.putIfAbsent(socket, Instant.now());
    }

    @Override
    public void onStart() {
      started = true;
    }
  }
}
