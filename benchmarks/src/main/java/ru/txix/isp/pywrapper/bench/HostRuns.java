package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.ProcStatus;
import ru.txix.isp.pywrapper.testing.PythonProject;
import tools.jackson.databind.JsonNode;

/**
 * The measurements of one host configuration against the fixture child (offline mode): cold starts with their
 * stops, memory and threads at rest and across restarts, and P1 (a config change against the floor).
 *
 * <p>Times are taken on CLOCK_MONOTONIC on both sides where possible: {@code System.nanoTime()} here, Python's
 * {@code time.monotonic_ns()} in the fixture's events (sent by UDP); "spawned" is the host's own log line
 * (wall clock, nanoseconds).
 */
final class HostRuns {
  static final Duration WAIT = Duration.ofSeconds(60);
  /** The pools' idle threads end after 10 s: "at rest" is measured after that. */
  static final Duration REST = Duration.ofSeconds(12);

  /** What one cold start and its stop took, in nanoseconds. */
  record Start(long spawned, long listening, long stop) {
  }

  /** Memory and threads at rest, after the first metrics scrape, and after the restarts. */
  record Memory(ProcStatus rest, ProcStatus scraped, ProcStatus afterRestarts, int restarts) {
  }

  private final HostConfig config;
  private final Path dir;
  private final Inbox inbox = new Inbox();
  private final PythonProject project;

  HostRuns(HostConfig config, Path dir) throws IOException {
    this.config = config;
    this.dir = dir;
    this.project = PythonProject.in(dir).withConf("bench", FreePort.find(), "127.0.0.1:9001", "{\"v\":0}");
  }

  /** The project, for training a cache on its module. */
  Path projectDir() {
    return dir;
  }

  List<Start> coldStarts(int count) throws Exception {
    List<Start> starts = new ArrayList<>();
    for (int i = -1; i < count; i++) { // the first creates the project's venv: not counted
      writeConfig(0);
      inbox.clear();
      Instant wallStart = Instant.now();
      long start = System.nanoTime();
      LauncherProcess host = launch("");
      JsonNode listening = inbox.await("listening", e -> true, WAIT);
      JsonNode spawned = host.awaitLogContaining("python service started", WAIT);
      Thread.sleep(1000);
      long stopStart = System.nanoTime();
      host.signal("TERM");
      host.awaitExit(Duration.ofSeconds(20));
      long stop = System.nanoTime() - stopStart;
      if (i >= 0) {
        starts.add(new Start(Duration.between(wallStart, Instant.parse(spawned.get("time").asString())).toNanos(),
            listening.get("monotonicNs").asLong() - start, stop));
      }
    }
    return starts;
  }

  Memory memory(int restarts) throws Exception {
    writeConfig(0);
    inbox.clear();
    try (LauncherProcess host = launch("python: { configRestartInterval: 0s }")) {
      inbox.await("listening", e -> true, WAIT);
      Thread.sleep(REST.toMillis());
      ProcStatus rest = ProcStatus.of(host.pid());
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + project.infraPort()
          + "/internal/metrics")).build(), HttpResponse.BodyHandlers.discarding());
      Thread.sleep(1000);
      ProcStatus scraped = ProcStatus.of(host.pid());
      for (int v = 1; v <= restarts; v++) {
        change(v);
      }
      Thread.sleep(REST.toMillis());
      ProcStatus after = ProcStatus.of(host.pid());
      host.signal("TERM");
      host.awaitExit(Duration.ofSeconds(20));
      return new Memory(rest, scraped, after, restarts);
    }
  }

  /** P1: {change, start floor} pairs; returns the changes' host overhead over the floor (nanoseconds). */
  List<Long> configChanges(Floor floor, int count) throws Exception {
    writeConfig(0);
    inbox.clear();
    List<Long> overheads = new ArrayList<>();
    try (LauncherProcess host = launch("python: { configRestartInterval: 0s }")) {
      inbox.await("listening", e -> true, WAIT);
      for (int v = 1; v <= count + 2; v++) {
        long[] floorNanos = floor.sample();
        long changeNanos = change(v);
        if (v > 2) {
          overheads.add(changeNanos - floorNanos[0]);
        }
      }
      host.signal("TERM");
      host.awaitExit(Duration.ofSeconds(20));
    }
    return overheads;
  }

  private LauncherProcess launch(String extraConfig) throws IOException {
    String yaml = Files.readString(dir.resolve("conf/config.yml"));
    int cut = yaml.indexOf("python:");
    project.write("conf/config.yml", (cut < 0 ? yaml : yaml.substring(0, cut)) + extraConfig + "\n");
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.put("FIXTURE_NOTIFY", inbox.address());
    return config.start(dir, environment);
  }

  /** Replaces the offline config with {"v":v}; returns the nanoseconds until the new child listens. */
  private long change(int v) throws IOException {
    writeConfig(v);
    long written = System.nanoTime();
    JsonNode started = inbox.await("started", e -> e.path("config").path("v").asInt() == v, WAIT);
    long pid = started.get("pid").asLong();
    JsonNode listening = inbox.await("listening", e -> e.get("pid").asLong() == pid, WAIT);
    return listening.get("monotonicNs").asLong() - written;
  }

  private void writeConfig(int v) throws IOException {
    Path temp = dir.resolve("conf/config.json.tmp");
    Files.writeString(temp, "{\"v\":" + v + "}");
    Files.move(temp, dir.resolve("conf/config.json"), StandardCopyOption.ATOMIC_MOVE);
  }
}
