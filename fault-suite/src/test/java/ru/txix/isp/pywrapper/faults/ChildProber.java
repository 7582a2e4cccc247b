package ru.txix.isp.pywrapper.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Asks the Python service for its pid every 50 ms in the background: does it keep serving, and who serves. */
final class ChildProber implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final URI uri;
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Set<Long> pids = new LinkedHashSet<>();
  private final List<String> errors = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  ChildProber(int port) {
    uri = URI.create("http://127.0.0.1:" + port + "/");
    thread = new Thread(this::loop, "child-prober");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        synchronized (pids) {
          pids.add(body.get("pid").asLong());
        }
        ok.incrementAndGet();
      } catch (InterruptedException e) {
        return; // close() interrupts a request in flight: not a failure of the service
      } catch (Exception e) {
        if (!running) {
          return;
        }
        failed.incrementAndGet();
        synchronized (errors) {
          errors.add(e.toString());
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  int ok() {
    return ok.get();
  }

  int failed() {
    return failed.get();
  }

  /** Why requests failed, for assertion messages. */
  List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  Set<Long> pids() {
    synchronized (pids) {
      return Set.copyOf(pids);
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
