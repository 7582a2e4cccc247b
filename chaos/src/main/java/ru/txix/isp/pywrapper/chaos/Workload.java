package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A steady workload on the Python service: {@code rate} GET requests a second, each on a new connection, for as
 * long as it runs. Each result keeps its wall-clock start and end, its outcome ({@code ok}, {@code refused},
 * {@code lost} — accepted, then cut without an answer —, {@code timeout}, {@code error}) and, when served, the
 * pid of the process that answered and the config version it runs.
 */
final class Workload implements AutoCloseable {
  /** One request. */
  record Result(Instant start, Instant end, String outcome, long pid, String version) {
    boolean ok() {
      return outcome.equals("ok");
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final URI uri;
  private final Duration timeout;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;
  private final List<Result> results = new ArrayList<>();

  Workload(int port, int rate, Duration timeout) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/");
    this.timeout = timeout;
    AtomicInteger count = new AtomicInteger();
    ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "workload-tick"));
    workers = Executors.newCachedThreadPool(r -> daemon(r, "workload-" + count.incrementAndGet()));
    ticker.scheduleAtFixedRate(() -> workers.execute(this::request), 0, 1_000_000_000L / rate,
        TimeUnit.NANOSECONDS);
  }

  private void request() {
    Instant start = Instant.now();
    HttpURLConnection connection = null;
    String outcome;
    long pid = -1;
    String version = "";
    boolean connected = false;
    try {
      connection = (HttpURLConnection) uri.toURL().openConnection();
      connection.setConnectTimeout((int) timeout.toMillis());
      connection.setReadTimeout((int) timeout.toMillis());
      connection.setRequestProperty("Connection", "close");
      connection.setUseCaches(false);
      connection.connect();
      connected = true;
      int status = connection.getResponseCode();
      byte[] body;
      try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        body = in == null ? new byte[0] : in.readAllBytes();
      }
      if (status / 100 == 2) {
        JsonNode json = JSON.readTree(body);
        pid = json.path("pid").asLong(-1);
        version = json.path("v").asString("");
        outcome = "ok";
      } else {
        outcome = "http " + status;
      }
    } catch (ConnectException e) {
      outcome = "refused";
    } catch (SocketTimeoutException e) {
      outcome = "timeout";
    } catch (IOException e) {
      outcome = connected ? "lost" : "error";
    } catch (RuntimeException e) {
      outcome = "error";
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
    Result result = new Result(start, Instant.now(), outcome, pid, version);
    synchronized (results) {
      results.add(result);
    }
  }

  /** The results so far, and forgets them. */
  List<Result> drain() {
    synchronized (results) {
      List<Result> copy = List.copyOf(results);
      results.clear();
      return copy;
    }
  }

  /** Stops issuing requests and waits for those in flight. */
  @Override
  public void close() {
    ticker.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
