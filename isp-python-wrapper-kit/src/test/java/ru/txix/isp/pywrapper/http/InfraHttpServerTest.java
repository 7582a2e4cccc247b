package ru.txix.isp.pywrapper.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.testing.FreePort;

/** The infra server over real HTTP. */
class InfraHttpServerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private InfraHttpServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void healthAnswers200WhenAllPassAnd500OtherwiseAsHealthJsonEachResultReusedForASecond() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean(true);
    HealthRegistryTest.MutableClock clock = new HealthRegistryTest.MutableClock(Instant.parse("2026-05-01T10:00:00Z"));
    HealthRegistry health = new HealthRegistry(clock).register("pythonProcess",
        () -> healthy.get() ? Optional.empty() : Optional.of("restarting after exit code 3"));
    start(health, Duration.ofSeconds(1));

    HttpResponse<String> pass = get(InfraHttpServer.HEALTH_PATH);
    assertThat(pass.statusCode()).isEqualTo(200);
    assertThat(pass.headers().firstValue("Content-Type")).hasValue("application/health+json");
    assertThat(pass.body()).startsWith("{\"status\":\"pass\"");

    healthy.set(false);
    clock.advance(Duration.ofMillis(999));
    assertThat(get(InfraHttpServer.HEALTH_PATH).statusCode()).as("the result of 999 ms ago").isEqualTo(200);
    clock.advance(Duration.ofMillis(1));
    HttpResponse<String> fail = get(InfraHttpServer.HEALTH_PATH);
    assertThat(fail.statusCode()).isEqualTo(500);
    assertThat(fail.body()).contains("\"output\":\"restarting after exit code 3\"");
  }

  @Test
  void slowHealthChecksAnswer503Timeout() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    HealthRegistry health = new HealthRegistry(Clock.systemUTC()).register("slow", () -> {
      try {
        answered.await(); // stuck until the server has answered without it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.empty();
    });
    start(health, Duration.ofMillis(200));

    HttpResponse<String> response = get(InfraHttpServer.HEALTH_PATH);
    answered.countDown();

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("timeout");
  }

  @Test
  void metricsAreInPrometheusTextFormat() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter.builder().name("things_total").help("things").register(registry).inc(3);
    server = InfraHttpServer.start(FreePort.find(), new HealthRegistry(Clock.systemUTC()), Duration.ofSeconds(1),
        UP, UP, () -> registry, () -> "{}");

    HttpResponse<String> response = get(InfraHttpServer.METRICS_PATH);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(response.body()).contains("# TYPE things_total counter").contains("things_total 3.0");
  }

  @Test
  void supervisorEndpointServesTheJsonAndOtherPathsAre404() throws Exception {
    server = InfraHttpServer.start(FreePort.find(), new HealthRegistry(Clock.systemUTC()), Duration.ofSeconds(1),
        UP, UP, PrometheusRegistry::new, () -> "{\"state\":\"RUNNING\"}\n");

    HttpResponse<String> supervisor = get(InfraHttpServer.SUPERVISOR_PATH);
    assertThat(supervisor.statusCode()).isEqualTo(200);
    assertThat(supervisor.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(supervisor.body()).isEqualTo("{\"state\":\"RUNNING\"}\n");
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void livenessAndReadinessAnswerTheirChecksInSpringBootsShapeWhateverTheHealthComponentsSay() throws Exception {
    HealthRegistry failing = new HealthRegistry(Clock.systemUTC())
        .register("remoteConfig", () -> Optional.of("rejected: /port: must be an integer"));
    AtomicReference<Optional<String>> readiness = new AtomicReference<>(Optional.of("backoff: restarting in 2s"));
    server = InfraHttpServer.start(FreePort.find(), failing, Duration.ofSeconds(1), UP, readiness::get,
        PrometheusRegistry::new, () -> "{}");

    assertThat(get(InfraHttpServer.HEALTH_PATH).statusCode()).isEqualTo(500);
    HttpResponse<String> live = get(InfraHttpServer.LIVENESS_PATH);
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}\n");
    HttpResponse<String> notReady = get(InfraHttpServer.READINESS_PATH);
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).isEqualTo("{\"status\":\"OUT_OF_SERVICE\",\"reason\":\"backoff: restarting in 2s\"}\n");

    readiness.set(Optional.empty());
    assertThat(get(InfraHttpServer.READINESS_PATH).statusCode()).isEqualTo(200);
    assertThat(get(InfraHttpServer.LIVENESS_PATH + "x").statusCode()).isEqualTo(404);
    assertThat(get(InfraHttpServer.READINESS_PATH + "/more").statusCode()).isEqualTo(404);
  }

  @Test
  void aFailingLivenessCheckIs503Down() throws Exception {
    server = InfraHttpServer.start(FreePort.find(), new HealthRegistry(Clock.systemUTC()), Duration.ofSeconds(1),
        () -> Optional.of("ending: gave up"), () -> {
          throw new IllegalStateException("boom");
        }, PrometheusRegistry::new, () -> "{}");

    HttpResponse<String> live = get(InfraHttpServer.LIVENESS_PATH);
    assertThat(live.statusCode()).isEqualTo(503);
    assertThat(live.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"ending: gave up\"}\n");
    HttpResponse<String> ready = get(InfraHttpServer.READINESS_PATH);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("\"status\":\"OUT_OF_SERVICE\"")
        .contains("check failed: java.lang.IllegalStateException: boom");
  }

  @Test
  void aBusyPortIsABindException() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThatThrownBy(() -> InfraHttpServer.start(taken.getLocalPort(), new HealthRegistry(Clock.systemUTC()),
          Duration.ofSeconds(1), UP, UP, PrometheusRegistry::new, () -> "{}"))
          .isInstanceOf(BindException.class);
    }
  }

  private static final HealthCheck UP = Optional::empty;

  private void start(HealthRegistry health, Duration timeout) throws IOException {
    server = InfraHttpServer.start(FreePort.find(), health, timeout, UP, UP, PrometheusRegistry::new, () -> "{}");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
