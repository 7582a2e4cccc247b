package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load on the Python service over loopback: {@code rate} GET requests per second, each on a new
 * connection (so every one exercises the listening socket), until closed. Each result is recorded with its
 * start time, latency and outcome: {@code ok} (2xx), {@code refused} (nobody listens), {@code lost} (accepted,
 * then reset or closed without an answer: in flight on a process that died), {@code timeout}, or {@code error}.
 */
public final class LoadGenerator implements AutoCloseable {
  /** One request. */
  public record Result(long startNanos, long latencyNanos, String outcome) {
    public boolean ok() {
      return outcome.equals("ok");
    }
  }

  private final URI uri;
  private final Duration timeout;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "load-tick"));
  private final ExecutorService workers;
  private final List<Result> results = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();

  private LoadGenerator(int port, String path, int rate, Duration timeout) {
    this.uri = URI.create("http://127.0.0.1:" + port + path);
    this.timeout = timeout;
    AtomicInteger count = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(r -> daemon(r, "load-" + count.incrementAndGet()));
    long period = 1_000_000_000L / rate;
    ticker.scheduleAtFixedRate(() -> workers.execute(this::request), 0, period, TimeUnit.NANOSECONDS);
  }

  /** Starts {@code rate} requests per second to {@code http://127.0.0.1:<port><path>}. */
  public static LoadGenerator start(int port, String path, int rate, Duration timeout) {
    return new LoadGenerator(port, path, rate, timeout);
  }

  private void request() {
    long start = System.nanoTime();
    inFlight.incrementAndGet();
    HttpURLConnection connection = null;
    String outcome;
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
      try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        if (body != null) {
          body.readAllBytes();
        }
      }
      outcome = status / 100 == 2 ? "ok" : "http " + status;
    } catch (ConnectException e) {
      outcome = "refused";
    } catch (SocketTimeoutException e) {
      outcome = "timeout";
    } catch (IOException e) {
      outcome = connected ? "lost" : "error: " + e;
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
      inFlight.decrementAndGet();
    }
    results.add(new Result(start, System.nanoTime() - start, outcome));
  }

  /** Everything recorded so far. */
  public List<Result> results() {
    synchronized (results) {
      return List.copyOf(results);
    }
  }

  /** Results of requests started between the two moments ({@link System#nanoTime()}). */
  public List<Result> between(long fromNanos, long toNanos) {
    return results().stream().filter(r -> r.startNanos() >= fromNanos && r.startNanos() < toNanos).toList();
  }

  public static long count(List<Result> results, String outcome) {
    return results.stream().filter(r -> r.outcome().equals(outcome)).count();
  }

  /** The latency at {@code percentile} (0–100) of the successful results, in milliseconds. */
  public static double percentile(List<Result> results, double percentile) {
    List<Long> latencies = results.stream().filter(Result::ok).map(Result::latencyNanos).sorted().toList();
    if (latencies.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(percentile / 100.0 * latencies.size()) - 1;
    return latencies.get(Math.max(0, Math.min(latencies.size() - 1, index))) / 1e6;
  }

  /** Stops issuing requests and waits (up to the timeout and a second) for those in flight. */
  @Override
  public void close() {
    ticker.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
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
