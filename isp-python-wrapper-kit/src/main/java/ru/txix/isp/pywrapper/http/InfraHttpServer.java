package ru.txix.isp.pywrapper.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.node.ObjectNode;

/**
 * The infra HTTP server (isp-kit's convention: {@code infraServerPort}, all interfaces), any method:
 *
 * <ul>
 *   <li>{@code /internal/health}: {@code application/health+json}, 200 when every component passes, 500
 *       otherwise, 503 with body {@code timeout} when the checks take longer than the handler timeout;
 *   <li>{@code /internal/health/liveness} and {@code /internal/health/readiness}, for orchestrators (Spring Boot's
 *       names and shapes): 200 {@code {"status":"UP"}}, or 503 with {@code {"status":"DOWN"}} (liveness) or
 *       {@code {"status":"OUT_OF_SERVICE"}} (readiness) and the {@code reason}; the checks are the caller's
 *       and must be fast (they run on the request's thread, uncached);
 *   <li>{@code /internal/metrics}: Prometheus text format;
 *   <li>{@code /internal/supervisor}: the supervisor's state as JSON, for operators.
 * </ul>
 *
 * <p>Requests are served by up to four daemon threads ("infra-http", ended when idle); a request must arrive
 * within 5 s.
 */
public final class InfraHttpServer implements AutoCloseable {
  public static final String HEALTH_PATH = "/internal/health";
  public static final String LIVENESS_PATH = "/internal/health/liveness";
  public static final String READINESS_PATH = "/internal/health/readiness";
  public static final String METRICS_PATH = "/internal/metrics";
  public static final String SUPERVISOR_PATH = "/internal/supervisor";

  private static final Logger log = LoggerFactory.getLogger(InfraHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor = NamedThreads.pool("infra-http", 4);
  private final ExecutorService checks = NamedThreads.pool("infra-health", 1);

  private InfraHttpServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Binds and starts.
   *
   * @throws IOException when the port cannot be bound ({@link java.net.BindException} when it is taken)
   */
  public static InfraHttpServer start(int port, HealthRegistry health, Duration healthTimeout, HealthCheck liveness,
                                      HealthCheck readiness, Supplier<PrometheusRegistry> metrics,
                                      Supplier<String> supervisorJson) throws IOException {
    // A client that sends half a request and stops must not hold a worker: bound request and response times
    // (seconds; the JDK's server reads these once, and only where the application set nothing).
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "5");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "10");
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
    InfraHttpServer infra = new InfraHttpServer(server);
    server.createContext(HEALTH_PATH, exchange -> infra.health(exchange, health, healthTimeout));
    server.createContext(LIVENESS_PATH, exchange -> probe(exchange, liveness, "DOWN"));
    server.createContext(READINESS_PATH, exchange -> probe(exchange, readiness, "OUT_OF_SERVICE"));
    server.createContext(METRICS_PATH, exchange -> {
      PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
      ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
      writer.write(body, metrics.get().scrape());
      respond(exchange, 200, writer.getContentType(), body.toByteArray());
    });
    server.createContext(SUPERVISOR_PATH, exchange -> respond(exchange, 200, "application/json",
        supervisorJson.get().getBytes(StandardCharsets.UTF_8)));
    server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8",
        "404 page not found\n".getBytes(StandardCharsets.UTF_8)));
    server.setExecutor(infra.executor);
    server.start();
    log.atInfo().addKeyValue("port", server.getAddress().getPort()).log("infra server listening");
    return infra;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void health(HttpExchange exchange, HealthRegistry health, Duration timeout) throws IOException {
    CompletableFuture<HealthRegistry.Result> result = CompletableFuture.supplyAsync(health::result, checks);
    try {
      HealthRegistry.Result done = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      respond(exchange, done.healthy() ? 200 : 500, "application/health+json",
          done.body().getBytes(StandardCharsets.UTF_8));
    } catch (TimeoutException e) {
      respond(exchange, 503, "text/plain; charset=utf-8", "timeout".getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      respond(exchange, 500, "text/plain; charset=utf-8", ("health check failed: " + e)
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** 200 {@code {"status":"UP"}} when {@code check} passes, else 503 with {@code down} and the reason. */
  private static void probe(HttpExchange exchange, HealthCheck check, String down) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals(LIVENESS_PATH) && !path.equals(READINESS_PATH)) {
      respond(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    Optional<String> failure;
    try {
      failure = check.check();
    } catch (RuntimeException e) {
      failure = Optional.of("check failed: " + e);
    }
    ObjectNode body = JsonValues.object().put("status", failure.isEmpty() ? "UP" : down);
    failure.ifPresent(reason -> body.put("reason", reason));
    respond(exchange, failure.isEmpty() ? 200 : 503, "application/json",
        (JsonValues.text(body) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", contentType);
      boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /**
   * Stops at once, without waiting for the JDK server's dispatcher thread to wind down (a few milliseconds that
   * would delay the rest of a shutdown): that happens on a thread of its own.
   */
  @Override
  public void close() {
    Thread closer = new Thread(() -> {
      server.stop(0);
      executor.shutdownNow();
      checks.shutdownNow();
    }, "infra-http-stop");
    closer.setDaemon(true);
    closer.start();
  }
}
