package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.testing.FreePort;

/**
 * Address delivery against a real HTTP server on loopback. The retries' time is the test's ({@link FakeScheduler}):
 * a retry happens when the test moves time past it, so nothing here waits for a wall-clock window.
 */
class HttpAddressDeliveryTest {
  private static final Backoff FAST = new Backoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(200), 0.0);

  private final FakeScheduler scheduler = new FakeScheduler();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private final List<String> failed = new CopyOnWriteArrayList<>();
  private final int port = FreePort.find();
  private HttpServer server;
  /** Requests carrying {@code a:1} wait in the server until this opens. */
  private volatile CountDownLatch releaseA1 = new CountDownLatch(0);
  private final HttpAddressDelivery delivery = new HttpAddressDelivery(scheduler, FAST, new SupervisorListener() {
    @Override
    public void addressesDelivered(String module, List<String> hosts, int attempts) {
      delivered.add(module + "=" + hosts + " after " + attempts);
    }

    @Override
    public void addressDeliveryFailed(String module, int attempt, String error) {
      failed.add(module + " attempt " + attempt + ": " + error);
    }
  });

  @AfterEach
  void tearDown() {
    delivery.close();
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void postsEachModuleAsJsonAndRetriesServerErrorsUntilAccepted() throws IOException {
    startServer();
    statuses.add(500);
    statuses.add(503);

    delivery.childReady(1, target(), Map.of("auth", List.of("10.0.0.1:9001")));

    retryUntil(() -> delivered.size() == 1 && failed.size() == 2);
    assertThat(received).containsExactly(
        "application/json {\"module\":\"auth\",\"hosts\":[\"10.0.0.1:9001\"]}",
        "application/json {\"module\":\"auth\",\"hosts\":[\"10.0.0.1:9001\"]}",
        "application/json {\"module\":\"auth\",\"hosts\":[\"10.0.0.1:9001\"]}");
    assertThat(delivered).containsExactly("auth=[10.0.0.1:9001] after 3");
    assertThat(failed).containsExactly("auth attempt 1: HTTP 500: nope", "auth attempt 2: HTTP 503: nope");
  }

  @Test
  void keepsTryingWhileNobodyListensAndDeliversOnceTheServiceIsUp() throws Exception {
    delivery.childReady(1, target(), Map.of("auth", List.of("10.0.0.1:9001")));
    retryUntil(() -> failed.size() >= 5);

    startServer();

    retryUntil(() -> delivered.size() == 1);
    assertThat(failed.get(0)).startsWith("auth attempt 1: ConnectException");
  }

  @Test
  void newerListReplacesAnUndeliveredOlderOneSoTheChildEndsWithTheNewest() throws IOException {
    startServer();
    for (int i = 0; i < 3; i++) {
      statuses.add(500);
    }
    releaseA1 = new CountDownLatch(1);
    delivery.childReady(1, target(), Map.of());
    delivery.hostsChanged(1, "auth", List.of("a:1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());

    delivery.hostsChanged(1, "auth", List.of("b:1"));
    delivery.hostsChanged(1, "auth", List.of("c:1"));
    releaseA1.countDown(); // the first attempt (a:1) fails now, with both newer lists already offered

    retryUntil(() -> delivered.size() == 1);
    assertThat(delivered).containsExactly("auth=[c:1] after 4");
    assertThat(received.get(received.size() - 1)).contains("[\"c:1\"]");
    assertThat(received).noneMatch(body -> body.contains("b:1"));
  }

  @Test
  void stopsDeliveringWhenTheChildIsGone() throws Exception {
    delivery.childReady(1, target(), Map.of("auth", List.of("10.0.0.1:9001")));
    await().atMost(Duration.ofSeconds(5)).until(() -> !failed.isEmpty());
    assertThat(scheduler.pending()).as("the retry").isEqualTo(1);

    delivery.childGone(1);
    startServer();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(scheduler.pending()).as("no retry any more").isZero();
    assertThat(received).isEmpty();
    assertThat(delivered).isEmpty();
  }

  @Test
  void ignoresListsForAnOlderGeneration() throws Exception {
    startServer();
    delivery.childReady(2, target(), Map.of());

    delivery.hostsChanged(1, "auth", List.of("old:1"));
    delivery.hostsChanged(2, "auth", List.of("new:1"));

    await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 1);
    assertThat(delivered).containsExactly("auth=[new:1] after 1");
    assertThat(received).hasSize(1);
  }

  /**
   * Moves time past each retry as it is scheduled (the attempts themselves are real requests, answered on other
   * threads) until {@code done}.
   */
  private void retryUntil(Callable<Boolean> done) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).pollInSameThread().until(() -> {
      if (done.call()) {
        return true;
      }
      if (scheduler.pending() > 0) {
        scheduler.advance(FAST.max());
      }
      return false;
    });
  }

  private BindingAddress target() {
    return new BindingAddress("0.0.0.0", port);
  }

  private void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(HttpAddressDelivery.PATH, exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(exchange.getRequestHeaders().getFirst("Content-Type") + " " + body);
      if (body.contains("a:1")) {
        try {
          releaseA1.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Integer status = statuses.poll();
      byte[] reply = (status == null ? "" : "nope").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status == null ? 200 : status, reply.length == 0 ? -1 : reply.length);
      exchange.getResponseBody().write(reply);
      exchange.close();
    });
    server.start();
  }
}
