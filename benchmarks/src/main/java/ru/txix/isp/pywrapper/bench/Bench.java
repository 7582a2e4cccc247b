package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.JsonNode;

/**
 * {@code make bench}: measures the launcher jar against real uv/Python children and prints a markdown report
 * (also written to {@code bench/results/latest.md}).
 *
 * <p>Times are taken on CLOCK_MONOTONIC on both sides: Java's {@code System.nanoTime()} at the trigger,
 * Python's {@code time.monotonic_ns()} right after the fixture's socket listens (it reports the event by UDP).
 * Floor and launcher samples alternate, so both see the same machine.
 */
public final class Bench {
  static final Path JAR = Path.of("launcher/target/isp-python-wrapper.jar");
  static final List<String> LEAN_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final int samples;
  private final int memoryRestarts;
  private final Path work;
  private final List<String> report = new ArrayList<>();

  private Bench(int samples, int memoryRestarts, Path work) {
    this.samples = samples;
    this.memoryRestarts = memoryRestarts;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int samples = Integer.parseInt(System.getProperty("bench.samples", "40"));
    int memoryRestarts = Integer.parseInt(System.getProperty("bench.memoryRestarts", "100"));
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run `make build` first");
    }
    new Bench(samples, memoryRestarts, Files.createTempDirectory("pywrapper-bench")).run();
  }

  private void run() throws Exception {
    header();
    report.add("### Config change → new child accepting (offline mode)");
    report.add("");
    report.add("| JVM flags | start floor | stop floor | change | **overhead** (change − start floor) "
        + "| host's own work (change − start − stop floor) | target |");
    report.add("|---|---|---|---|---|---|---|");
    List<String> memory = new ArrayList<>();
    for (List<String> flags : List.of(List.<String>of(), LEAN_FLAGS)) {
      restarts(flags, memory);
    }
    report.add("");
    report.add("Medians (p95 in brackets). Start floor: `uv run main.py` started directly until its socket "
        + "listens. Stop floor: SIGTERM to that `uv` until it has exited (Python's handler, then uv's own exit). "
        + "Change: the offline config file replaced (rename) until the new child listens — the host notices the "
        + "edit (inotify), parses it, writes `CONFIG_FILE` (fsync, rename), sends SIGTERM to the old child's group, "
        + "waits for its exit and spawns `setsid uv run main.py`. Differences are taken pairwise (floor and "
        + "change samples alternate). `python.configRestartInterval: 0s` lets the changes follow each other.");
    report.add("");
    cluster();
    report.add("### Launcher memory across restarts");
    report.add("");
    report.add("| JVM flags | restarts | RSS | threads | open fds |");
    report.add("|---|---|---|---|---|");
    report.addAll(memory);
    String text = String.join("\n", report) + "\n";
    System.out.println();
    System.out.println(text);
    Path out = Path.of("bench/results/latest.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text);
    System.out.println("written to " + out);
  }

  private void header() throws IOException {
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
    String uv = new String(new ProcessBuilder(Uv.binary().toString(), "--version").start().getInputStream()
        .readAllBytes()).strip();
    report.add("Measured " + LocalDate.now() + " on " + cpu + " (" + Runtime.getRuntime().availableProcessors()
        + " cores), " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
        + System.getProperty("java.version") + ", " + uv + "; Python 3 fixture on the standard library's "
        + "http.server; " + samples + " samples per row after 2 warm-ups.");
    report.add("");
  }

  private void restarts(List<String> flags, List<String> memory) throws Exception {
    String label = flags.isEmpty() ? "defaults" : "`" + String.join(" ", flags) + "`";
    Path dir = work.resolve("launcher-" + (flags.isEmpty() ? "default" : "lean"));
    int port = FreePort.find();
    PythonProject project = PythonProject.in(dir).withConf("bench", port, "127.0.0.1:9001", "{\"v\":0}");
    project.write("conf/config.yml", Files.readString(dir.resolve("conf/config.yml"))
        + "python: { configRestartInterval: 0s }\n");
    try (Inbox inbox = new Inbox(); Floor floor = new Floor(dir.resolveSibling(dir.getFileName() + "-floor"))) {
      Map<String, String> environment = new HashMap<>(project.environment());
      environment.put("CLUSTER_MODE", "offline");
      environment.put("FIXTURE_NOTIFY", inbox.address());
      try (LauncherProcess launcher = LauncherProcess.start(JAR, dir, environment, flags)) {
        inbox.await("listening", e -> true, WAIT);
        List<Long> starts = new ArrayList<>();
        List<Long> stops = new ArrayList<>();
        List<Long> changes = new ArrayList<>();
        List<Long> overheads = new ArrayList<>();
        List<Long> own = new ArrayList<>();
        ProcStatus afterOne = null;
        int total = Math.max(samples + 2, memoryRestarts);
        for (int v = 1; v <= total; v++) {
          if (v <= samples + 2) {
            long[] floorNanos = floor.sample();
            long changeNanos = change(dir, inbox, v);
            if (v > 2) {
              starts.add(floorNanos[0]);
              stops.add(floorNanos[1]);
              changes.add(changeNanos);
              overheads.add(changeNanos - floorNanos[0]);
              own.add(changeNanos - floorNanos[0] - floorNanos[1]);
            }
          } else {
            change(dir, inbox, v);
          }
          if (v == 1) {
            afterOne = ProcStatus.of(launcher.pid());
          }
        }
        Thread.sleep(500);
        ProcStatus afterAll = ProcStatus.of(launcher.pid());
        report.add("| " + label + " | " + cell(starts) + " | " + cell(stops) + " | " + cell(changes) + " | **"
            + cell(overheads) + "** | " + cell(own) + " | ≤ 10 ms |");
        memory.add("| " + label + " | 1 | " + afterOne.rssMib() + " | " + afterOne.threads() + " | "
            + afterOne.fds() + " |");
        memory.add("| " + label + " | " + total + " | " + afterAll.rssMib() + " | " + afterAll.threads() + " | "
            + afterAll.fds() + " |");
        launcher.signal("TERM");
        launcher.awaitExit(Duration.ofSeconds(20));
      }
    }
  }

  /** Cluster mode against the in-process config-service double: pushes to effects at the child. */
  private void cluster() throws Exception {
    Path dir = work.resolve("cluster");
    int port = FreePort.find();
    try (FakeConfigService service = FakeConfigService.start(); Inbox inbox = new Inbox()) {
      PythonProject project = PythonProject.in(dir).withConf("bench-cluster", port, service.address(), "{}");
      project.write("conf/config.yml", Files.readString(dir.resolve("conf/config.yml"))
          + "python: { configRestartInterval: 0s }\n");
      project.write("conf/default_remote_config.json", "{\"v\":0}");
      project.write("conf/module.yml", "requiredModules: [auth]\n");
      Map<String, String> environment = new HashMap<>(project.environment());
      environment.put("FIXTURE_NOTIFY", inbox.address());
      try (LauncherProcess launcher = LauncherProcess.start(JAR, dir, environment, LEAN_FLAGS)) {
        service.await(ClusterEvents.MODULE_READY, WAIT);
        inbox.await("addresses", e -> true, WAIT);
        List<Long> addresses = new ArrayList<>();
        for (int i = 1; i <= samples * 5 + 5; i++) {
          String ip = "10.1." + (i / 250) + "." + (i % 250);
          long sent = System.nanoTime();
          service.pushAddresses("auth", "[{\"ip\":\"" + ip + "\",\"port\":\"9001\"}]");
          JsonNode delivered = inbox.await("addresses", e -> e.get("hosts").get(0).asString().startsWith(ip + ":"),
              WAIT);
          if (i > 5) {
            addresses.add(delivered.get("monotonicNs").asLong() - sent);
          }
        }
        List<Long> configs = new ArrayList<>();
        for (int v = 1; v <= samples + 2; v++) {
          int value = v;
          long sent = System.nanoTime();
          service.pushConfig("bench-cluster", "{\"v\":" + v + "}");
          JsonNode started = inbox.await("started", e -> e.path("config").path("v").asInt() == value, WAIT);
          long pid = started.get("pid").asLong();
          JsonNode listening = inbox.await("listening", e -> e.get("pid").asLong() == pid, WAIT);
          if (v > 2) {
            configs.add(listening.get("monotonicNs").asLong() - sent);
          }
        }
        report.add("### Cluster mode (config-service double in the benchmark's JVM, launcher with `"
            + String.join(" ", LEAN_FLAGS) + "`)");
        report.add("");
        report.add("| Measure | n | median | p95 | target |");
        report.add("|---|---|---|---|---|");
        Stats a = Stats.ofNanos(addresses);
        report.add(String.format("| P4 `<m>_MODULE_CONNECTED` sent → POST handled by the child | %d | %.2f ms "
            + "| %.2f ms | ≤ 5 ms median |", a.count(), a.median(), a.p95()));
        Stats c = Stats.ofNanos(configs);
        report.add(String.format("| `CONFIG:SEND_CONFIG_CHANGED` sent → new child listening | %d | %.1f ms "
            + "| %.1f ms | (floor above + overhead) |", c.count(), c.median(), c.p95()));
        report.add("");
        launcher.signal("TERM");
        launcher.awaitExit(Duration.ofSeconds(20));
      }
    }
  }

  private static String cell(List<Long> nanos) {
    Stats stats = Stats.ofNanos(nanos);
    return String.format("%.1f ms (%.1f)", stats.median(), stats.p95());
  }

  /** Replaces the offline config with {"v":v}; returns the nanoseconds until the new child listens. */
  private static long change(Path dir, Inbox inbox, int v) throws IOException {
    Path temp = dir.resolve("conf/config.json.tmp");
    Files.writeString(temp, "{\"v\":" + v + "}");
    Files.move(temp, dir.resolve("conf/config.json"), StandardCopyOption.ATOMIC_MOVE);
    long written = System.nanoTime();
    JsonNode started = inbox.await("started", e -> e.path("config").path("v").asInt() == v, WAIT);
    long pid = started.get("pid").asLong();
    JsonNode listening = inbox.await("listening", e -> e.get("pid").asLong() == pid, WAIT);
    return listening.get("monotonicNs").asLong() - written;
  }

  /** {@code uv run main.py} started directly: the time any host has to wait for. */
  private static final class Floor implements AutoCloseable {
    private final Path dir;
    private final Inbox inbox = new Inbox();
    private final Map<String, String> environment;

    Floor(Path dir) throws IOException {
      this.dir = dir;
      PythonProject project = PythonProject.in(dir);
      project.write("config.json", "{}");
      environment = new HashMap<>(project.environment());
      environment.put("BINDING_ADDRESS", "127.0.0.1:" + FreePort.find());
      environment.put("CONFIG_FILE", dir.resolve("config.json").toString());
      environment.put("FIXTURE_NOTIFY", inbox.address());
    }

    /** {start → listening, SIGTERM → exited} in nanoseconds. */
    long[] sample() throws Exception {
      ProcessBuilder builder = new ProcessBuilder(Uv.binary().toString(), "run", "main.py")
          .directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("uv.out").toFile()));
      builder.environment().clear();
      builder.environment().putAll(environment);
      inbox.clear();
      long start = System.nanoTime();
      Process process = builder.start();
      JsonNode listening = inbox.await("listening", e -> true, WAIT);
      long startNanos = listening.get("monotonicNs").asLong() - start;
      Thread.sleep(50);
      long stop = System.nanoTime();
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
      return new long[] {startNanos, System.nanoTime() - stop};
    }

    @Override
    public void close() {
      inbox.close();
    }
  }
}
