package ru.txix.isp.pywrapper.cluster.etp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.internal.time.ExecutorScheduler;
import ru.txix.isp.pywrapper.testing.FakeConfigService;

/** The ETP client against a WebSocket server on loopback. */
class EtpConnectionTest {
  private final FakeConfigService service = FakeConfigService.start();
  private final ExecutorScheduler timers = new ExecutorScheduler("test-etp-timer");
  private final List<EtpMessage> events = new CopyOnWriteArrayList<>();
  private final List<String> malformed = new CopyOnWriteArrayList<>();
  private EtpConnection connection;

  @AfterEach
  void tearDown() {
    if (connection != null) {
      connection.close();
    }
    service.close();
    timers.close();
  }

  @Test
  void acksAreMatchedByIdAndIdsCountFromOnePerConnection() throws Exception {
    connect(EtpSettings.DEFAULTS);

    assertThat(connection.emitWithAck("MODULE:READY", "{}", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .isEqualTo("ok");
    assertThat(connection.emitWithAck("UNKNOWN", "", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .as("an ack without data").isEmpty();
    assertThat(service.received()).extracting(r -> r.message().ackId()).containsExactly(1L, 2L);
    assertThat(service.received().get(1).message().data()).isEmpty();

    connection.close();
    connect(EtpSettings.DEFAULTS);
    connection.emitWithAck("MODULE:READY", "{}", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
    assertThat(service.received().get(2).message().ackId()).isEqualTo(1L);
  }

  @Test
  void unansweredAckTimesOutWithAClearMessage() {
    connect(EtpSettings.DEFAULTS);

    assertThatThrownBy(() -> connection.emitWithAck("__ack_NOBODY_ANSWERS", "", Duration.ofMillis(200))
        .get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class)
        .hasMessage("no acknowledgement of __ack_NOBODY_ANSWERS within 200ms");
  }

  @Test
  void eventsWithDelimitersInDataAndWithoutDataArriveWhole() {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.sendRaw("EVENT||0||{\"a\":\"x||y\"}");
    service.sendRaw("EMPTY||0");
    service.sendRaw("EMPTY2||0||");

    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 3);
    assertThat(events).containsExactly(new EtpMessage("EVENT", 0, "{\"a\":\"x||y\"}"),
        new EtpMessage("EMPTY", 0, ""), new EtpMessage("EMPTY2", 0, ""));
  }

  @Test
  void malformedFramesAreReportedAndTheConnectionGoesOn() throws Exception {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.sendRaw("garbage without delimiters");
    service.sendRaw("EVENT||x||{}");
    service.sendRaw("FINE||0||{}");

    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
    assertThat(malformed).containsExactly(
        "expected format: <eventName>||<ackId>||<eventData>, got: garbage without delimiters",
        "parse ackId: invalid ackId \"x\" in EVENT||x||{}");
    assertThat(connection.emitWithAck("MODULE:READY", "{}", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .isEqualTo("ok");
  }

  @Test
  void messageOverTheReadLimitClosesTheConnectionWith1009() throws Exception {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.sendRaw("BIG||0||" + "x".repeat(5 * 1024 * 1024));

    EtpClosed closed = connection.closed().get(10, TimeUnit.SECONDS);
    assertThat(closed.code()).isEqualTo(1009);
    assertThat(closed.byUs()).isTrue();
    // The peer, still writing the oversized frame, may see the socket drop before it reads the close frame.
    await().atMost(Duration.ofSeconds(5)).until(() -> !service.closeCodes().isEmpty());
    assertThat(service.closeCodes()).containsAnyOf(1009, 1006);
    assertThat(events).isEmpty();
  }

  @Test
  void fragmentedMessageOverTheReadLimitIsClosedWith1009SeenByThePeer() throws Exception {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.sendFragmented("BIG||0||", 5, 1024 * 1024);

    assertThat(connection.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(1009);
    await().atMost(Duration.ofSeconds(5)).until(() -> service.closeCodes().contains(1009));
    assertThat(events).isEmpty();
  }

  @Test
  void fragmentedMessageUnderTheLimitIsJoined() {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.sendFragmented("JOINED||0||", 3, 1000);

    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
    assertThat(events.get(0).name()).isEqualTo("JOINED");
    assertThat(events.get(0).data()).hasSize(3000);
  }

  @Test
  void messageJustUnderTheLimitIsAccepted() {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.sendRaw("BIG||0||" + "x".repeat(4 * 1024 * 1024 - 100));

    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);
    assertThat(events.get(0).data()).hasSize(4 * 1024 * 1024 - 100);
    assertThat(connection.closed()).isNotDone();
  }

  @Test
  void missingPongEndsTheConnection() throws Exception {
    service.answerPings(false);
    connect(EtpSettings.DEFAULTS.withPingInterval(Duration.ofMillis(200)).withPongTimeout(Duration.ofMillis(300)));

    EtpClosed closed = connection.closed().get(5, TimeUnit.SECONDS);

    assertThat(closed.normal()).isFalse();
    assertThat(closed.reason()).isEqualTo("no pong within 300ms");
    assertThat(service.pingsReceived()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void answeredPingsKeepTheConnection() throws Exception {
    connect(EtpSettings.DEFAULTS.withPingInterval(Duration.ofMillis(100)).withPongTimeout(Duration.ofSeconds(2)));

    await().atMost(Duration.ofSeconds(5)).until(() -> service.pingsReceived() >= 5);

    assertThat(connection.closed()).isNotDone();
  }

  @Test
  void closeIsNormalOnBothSidesAndFailsWaitingAcks() throws Exception {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    connection.close();

    assertThat(connection.closed().get(5, TimeUnit.SECONDS)).isEqualTo(new EtpClosed(1000, "", true));
    assertThat(connection.awaitDisconnected(Duration.ofSeconds(5))).as("the peer answered the close").isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> service.closeCodes().contains(1000));
  }

  @Test
  void awaitingTheDisconnectDropsTheSocketOfAPeerThatNeverAnswersTheClose() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> peerSawEnd = CompletableFuture.runAsync(() -> upgradeThenReadToTheEnd(server));
      connect("127.0.0.1:" + server.getLocalPort(), EtpSettings.DEFAULTS);

      connection.close();
      timers.close(); // as when the owner shuts down: the connection's own late drop of the socket is gone

      assertThat(connection.awaitDisconnected(Duration.ofMillis(300))).isFalse();
      peerSawEnd.get(5, TimeUnit.SECONDS);
    }
  }

  /** A WebSocket peer that accepts the upgrade and then reads, never answering anything, until the socket ends. */
  private static void upgradeThenReadToTheEnd(ServerSocket server) {
    try (Socket socket = server.accept()) {
      InputStream in = socket.getInputStream();
      StringBuilder request = new StringBuilder();
      while (!request.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the request ended early");
        }
        request.append((char) b);
      }
      Matcher key = Pattern.compile("Sec-WebSocket-Key: (\\S+)", Pattern.CASE_INSENSITIVE).matcher(request);
      if (!key.find()) {
        throw new IOException("no Sec-WebSocket-Key in " + request);
      }
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(
          (key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(digest)
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      while (in.read() >= 0) {
        // the close frame arrives and is ignored; the end of the stream is the socket dropped
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new CompletionException(e);
    }
  }

  @Test
  void peerCloseAndDropAreReported() throws Exception {
    connect(EtpSettings.DEFAULTS);
    await().until(() -> service.openConnections() == 1);

    service.dropAll();

    EtpClosed closed = connection.closed().get(5, TimeUnit.SECONDS);
    assertThat(closed.byUs()).isFalse();
    assertThat(closed.normal()).isFalse();
  }

  private void connect(EtpSettings settings) {
    connect(service.address(), settings);
  }

  private void connect(String address, EtpSettings settings) {
    try {
      connection = EtpConnection.open(URI.create("ws://" + address + "/isp-etp/?module_name=m"),
          settings, timers, new EtpConnection.Handler() {
            @Override
            public void onEvent(EtpConnection connection, EtpMessage message) {
              events.add(message);
            }

            @Override
            public void onMalformed(EtpConnection connection, EtpFormatException error) {
              malformed.add(error.getMessage());
            }
          });
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
