package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link AddressDelivery} by HTTP POST ({@link HttpURLConnection}).
 *
 * <p>Each module has one lane: at most one request in flight, the newest undelivered list waiting behind it.
 * A failed attempt (connection error, timeout, any non-2xx status) is retried with {@link Backoff} for as
 * long as the child lives — addresses are never given up on. A list that arrives while another is in flight
 * or waiting to be retried replaces it, so the child always ends with the newest list, in order.
 *
 * <p>All mutable state is guarded by {@code this}. Requests run on two daemon threads ("py-addresses");
 * callers never wait. The requests use {@link HttpURLConnection} (plain HTTP on the loopback, connections
 * kept alive): unlike the JDK's {@code HttpClient} it does not initialise TLS, which costs a JVM that only
 * talks to its own child several megabytes.
 */
final class HttpAddressDelivery implements AddressDelivery {
  /** Path the Python service implements. */
  public static final String PATH = "/receive_module_addresses";

  private static final Logger log = LoggerFactory.getLogger(HttpAddressDelivery.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

  private final Scheduler scheduler;
  private final Backoff backoff;
  private final SupervisorListener listener;
  private final ExecutorService httpExecutor;
  private final Random random = new Random();

  private long generation = -1;
  private BindingAddress target;
  private final Map<String, Lane> lanes = new HashMap<>();

  public HttpAddressDelivery(Scheduler scheduler, Backoff backoff, SupervisorListener listener) {
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.listener = listener;
    this.httpExecutor = NamedThreads.pool("py-addresses", 2);
  }

  @Override
  public synchronized void childReady(long generation, BindingAddress target, Map<String, List<String>> hosts) {
    resetLanes();
    this.generation = generation;
    this.target = target;
    hosts.forEach((module, list) -> offer(module, list));
  }

  @Override
  public synchronized void hostsChanged(long generation, String module, List<String> hosts) {
    if (generation == this.generation) {
      offer(module, hosts);
    }
  }

  @Override
  public synchronized void childGone(long generation) {
    if (generation == this.generation) {
      resetLanes();
      this.generation = -1;
      this.target = null;
    }
  }

  @Override
  public synchronized void close() {
    resetLanes();
    generation = -1;
    httpExecutor.shutdownNow();
  }

  private void offer(String module, List<String> hosts) {
    Lane lane = lanes.computeIfAbsent(module, Lane::new);
    lane.pending = List.copyOf(hosts);
    pump(lane);
  }

  private void pump(Lane lane) {
    if (lane.inFlight || lane.retry != null || lane.pending == null || target == null) {
      return;
    }
    List<String> hosts = lane.pending;
    lane.pending = null;
    lane.inFlight = true;
    lane.attempts++;
    long sentFor = generation;
    send(lane.module, hosts).whenComplete((response, error) -> completed(lane, sentFor, hosts, response, error));
  }

  /** The status and body of one POST. */
  private record Response(int status, String body) {
  }

  private CompletableFuture<Response> send(String module, List<String> hosts) {
    ObjectNode payload = JsonValues.object().put("module", module);
    hosts.forEach(payload.putArray("hosts")::add);
    byte[] body = JsonValues.bytes(payload);
    URI uri = target.httpUri(PATH);
    long sentFor = generation;
    try {
      return CompletableFuture.supplyAsync(() -> {
        if (!current(sentFor)) { // the child was replaced while this waited: do not post an old list to the new one
          throw new java.util.concurrent.CancellationException("child replaced");
        }
        return post(uri, body);
      }, httpExecutor);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Response post(URI uri, byte[] body) {
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) uri.toURL().openConnection();
      connection.setRequestMethod("POST");
      connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      connection.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(body.length);
      connection.setRequestProperty("Content-Type", "application/json");
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body);
      }
      int status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String text = "";
      if (in != null) {
        try (in) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8); // read to the end: the connection is reused
        }
      }
      return new Response(status, text);
    } catch (IOException e) {
      if (connection != null) {
        connection.disconnect();
      }
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void completed(Lane lane, long sentFor, List<String> hosts, Response response, Throwable error) {
    String failure = error != null ? describe(error)
        : response.status() / 100 == 2 ? null
        : "HTTP " + response.status() + ": " + abbreviate(response.body());
    int attempts;
    synchronized (this) {
      lane.inFlight = false;
      if (sentFor != generation || lanes.get(lane.module) != lane) {
        return;
      }
      attempts = lane.attempts;
      if (failure == null) {
        lane.attempts = 0;
        pump(lane);
      } else {
        if (lane.pending == null) {
          lane.pending = hosts;
        }
        lane.retry = scheduler.schedule(backoff.delay(attempts, random), () -> retry(lane, sentFor));
      }
    }
    if (failure == null) {
      log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("module", lane.module)
          .addKeyValue("hosts", hosts).addKeyValue("attempts", attempts).log("module addresses delivered");
      notify(() -> listener.addressesDelivered(lane.module, hosts, attempts));
    } else {
      if (Integer.bitCount(attempts) == 1) { // attempts 1, 2, 4, 8…: loud but not a flood
        log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("module", lane.module)
            .addKeyValue("attempt", attempts).addKeyValue("error", failure)
            .log("failed to deliver module addresses to the python service, will retry");
      }
      notify(() -> listener.addressDeliveryFailed(lane.module, attempts, failure));
    }
  }

  private synchronized boolean current(long sentFor) {
    return sentFor == generation;
  }

  private synchronized void retry(Lane lane, long sentFor) {
    lane.retry = null;
    if (sentFor == generation && lanes.get(lane.module) == lane) {
      pump(lane);
    }
  }

  private void resetLanes() {
    lanes.values().forEach(lane -> {
      if (lane.retry != null) {
        lane.retry.cancel();
      }
    });
    lanes.clear();
  }

  private static void notify(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("supervisor listener failed", e);
    }
  }

  private static String describe(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof java.io.UncheckedIOException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private static String abbreviate(String body) {
    String text = body == null ? "" : body.strip();
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }

  /** One module's deliveries. Guarded by the enclosing instance. */
  private static final class Lane {
    final String module;
    List<String> pending;
    boolean inFlight;
    Cancellable retry;
    int attempts;

    Lane(String module) {
      this.module = module;
    }
  }
}
