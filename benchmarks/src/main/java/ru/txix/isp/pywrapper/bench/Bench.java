package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
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
import ru.txix.isp.pywrapper.testing.ProcStatus;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.JsonNode;

/**
 * {@code make bench}: the launcher jar against real uv/Python children; prints a markdown report and writes it
 * to {@code bench/results/latest.md}.
 *
 * <ul>
 *   <li>P1 config change → new child accepting, against the floor ({@code uv run main.py} alone);
 *   <li>P2 cold start: {@code java -jar} → child spawned, → child accepting, per JVM flag set (with AppCDS);
 *   <li>P3 the host's RSS, threads and fds at rest and after 1,000 restarts;
 *   <li>P4 {@code <m>_MODULE_CONNECTED} → POST handled by the child;
 *   <li>P5 a burst of 100 {@code CONFIG:SEND_CONFIG_CHANGED}: restarts and time to the final config.
 * </ul>
 *
 * {@code -Dbench.only=P1} (or a comma-separated list) runs some sections only.
 *
 * <p>Times are taken on CLOCK_MONOTONIC on both sides: Java's {@code System.nanoTime()} at the trigger, Python's
 * {@code time.monotonic_ns()} in the fixture's events (sent by UDP); the launcher's own log lines give wall-clock
 * times for P2's "spawned".
 */
public final class Bench {
  static final Path JAR = Path.of("launcher/target/isp-python-wrapper.jar");
  static final List<String> LEAN = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-XX:TieredStopAtLevel=1");
  static final Duration WAIT = Duration.ofSeconds(60);

  private final int samples = Integer.getInteger("bench.samples", 40);
  private final int coldStarts = Integer.getInteger("bench.coldStarts", 10);
  private final int memoryRestarts = Integer.getInteger("bench.memoryRestarts", 1000);
  private final Path work;
  private final List<String> report = new ArrayList<>();

  private Bench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run `make build` first");
    }
    new Bench(Files.createTempDirectory("pywrapper-bench")).run();
  }

  private void run() throws Exception {
    header();
    String only = System.getProperty("bench.only", "P1,P2,P3,P4");
    if (only.contains("P1")) {
      p1ConfigChange();
    }
    if (only.contains("P2")) {
      p2ColdStart();
    }
    if (only.contains("P3")) {
      p3Memory();
    }
    if (only.contains("P4") || only.contains("P5")) {
      cluster();
    }
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
    long memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
        .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).orElse(0L);
    report.add("Measured " + LocalDate.now() + " on " + cpu + " (" + Runtime.getRuntime().availableProcessors()
        + " cores, " + memory + " GiB), " + System.getProperty("os.name") + " " + System.getProperty("os.version")
        + ", Java " + System.getProperty("java.version") + ", " + uv + "; the Python fixture serves HTTP with the "
        + "standard library. Lean flags: `" + String.join(" ", LEAN) + "`.");
    report.add("");
  }

  // ---- P1 ----

  private void p1ConfigChange() throws Exception {
    report.add("#### P1 config change → new child accepting (offline mode), against the floor");
    report.add("");
    report.add("| JVM flags | n | start floor | stop floor | change | **host overhead** (change − start floor) "
        + "| host's own work (− stop floor too) | target |");
    report.add("|---|---|---|---|---|---|---|---|");
    for (List<String> flags : List.of(List.<String>of(), LEAN)) {
      Path dir = work.resolve("p1-" + (flags.isEmpty() ? "default" : "lean"));
      try (Inbox inbox = new Inbox(); Floor floor = new Floor(dir.resolveSibling(dir.getFileName() + "-floor"));
           LauncherProcess launcher = offlineLauncher(dir, flags, inbox, "python: { configRestartInterval: 0s }")) {
        inbox.await("listening", e -> true, WAIT);
        List<Long> starts = new ArrayList<>();
        List<Long> stops = new ArrayList<>();
        List<Long> changes = new ArrayList<>();
        List<Long> overheads = new ArrayList<>();
        List<Long> own = new ArrayList<>();
        for (int v = 1; v <= samples + 2; v++) {
          long[] floorNanos = floor.sample();
          long changeNanos = change(dir, inbox, v);
          if (v > 2) {
            starts.add(floorNanos[0]);
            stops.add(floorNanos[1]);
            changes.add(changeNanos);
            overheads.add(changeNanos - floorNanos[0]);
            own.add(changeNanos - floorNanos[0] - floorNanos[1]);
          }
        }
        report.add("| " + label(flags) + " | " + samples + " | " + cell(starts) + " | " + cell(stops) + " | "
            + cell(changes) + " | **" + cell(overheads) + "** | " + cell(own) + " | ≤ 10 ms median |");
        stop(launcher);
      }
    }
    report.add("");
    report.add("Medians, p95 in brackets. Start floor: `uv run main.py` started directly until its socket listens. "
        + "Stop floor: SIGTERM to that `uv` until it exited (Python's handler, then uv's own exit). Change: "
        + "`conf/config.json` replaced (rename) until the new child listens — the host notices the edit "
        + "(inotify), parses and checks it, writes `CONFIG_FILE` (fsync, rename), sends SIGTERM to the old "
        + "child's group, waits for its exit and spawns `setsid uv run main.py`. Floor and change samples "
        + "alternate; differences are pairwise. `python.configRestartInterval: 0s` lets the changes follow each "
        + "other.");
    report.add("");
  }

  // ---- P2 ----

  private void p2ColdStart() throws Exception {
    Path archive = work.resolve("pywrapper.jsa");
    train(archive);
    List<String> cds = new ArrayList<>(LEAN);
    cds.add("-XX:SharedArchiveFile=" + archive);
    report.add("#### P2 cold start: `java -jar` → child spawned, → child accepting");
    report.add("");
    report.add("| JVM flags | n | → child spawned | → child accepting | (child alone: spawned → accepting) |");
    report.add("|---|---|---|---|---|");
    for (List<String> flags : List.of(List.<String>of(), LEAN, cds)) {
      List<Long> spawned = new ArrayList<>();
      List<Long> accepting = new ArrayList<>();
      List<Long> child = new ArrayList<>();
      for (int i = -1; i < coldStarts; i++) {
        Path dir = work.resolve("p2-" + flags.size() + "-" + i);
        try (Inbox inbox = new Inbox()) {
          Instant wallStart = Instant.now();
          long start = System.nanoTime();
          LauncherProcess launcher = offlineLauncher(dir, flags, inbox, "");
          JsonNode listening = inbox.await("listening", e -> true, WAIT);
          JsonNode log = launcher.awaitLogContaining("python service started", WAIT);
          long spawnedNanos = Duration.between(wallStart, Instant.parse(log.get("time").asString())).toNanos();
          long acceptingNanos = listening.get("monotonicNs").asLong() - start;
          if (i >= 0) {
            spawned.add(spawnedNanos);
            accepting.add(acceptingNanos);
            child.add(acceptingNanos - spawnedNanos);
          }
          stop(launcher);
        }
      }
      report.add("| " + label(flags).replace(archive.toString(), "pywrapper.jsa") + " | " + coldStarts + " | "
          + cell(spawned) + " | " + cell(accepting) + " | " + cell(child) + " |");
    }
    report.add("");
    report.add("AppCDS: the archive is written by one training run, `java -XX:ArchiveClassesAtExit=pywrapper.jsa "
        + "-jar isp-python-wrapper.jar` (start, get a config, stop), and used with "
        + "`-XX:SharedArchiveFile=pywrapper.jsa`. \"Spawned\" comes from the host's log line (wall clock, "
        + "millisecond resolution), \"accepting\" from the child's own clock.");
    report.add("");
  }

  /** One start-config-stop run that writes the AppCDS archive. */
  private void train(Path archive) throws Exception {
    List<String> flags = new ArrayList<>(LEAN);
    flags.add("-XX:ArchiveClassesAtExit=" + archive);
    try (Inbox inbox = new Inbox();
         LauncherProcess launcher = offlineLauncher(work.resolve("p2-train"), flags, inbox, "")) {
      inbox.await("listening", e -> true, WAIT);
      Thread.sleep(1500);
      stop(launcher);
    }
    if (!Files.exists(archive)) {
      throw new IllegalStateException("no AppCDS archive was written at " + archive);
    }
  }

  // ---- P3 ----

  private void p3Memory() throws Exception {
    report.add("#### P3 the host's memory, threads and files, at rest and across restarts");
    report.add("");
    report.add("| JVM flags | moment | RSS | threads | open fds |");
    report.add("|---|---|---|---|---|");
    for (List<String> flags : List.of(List.<String>of(), LEAN)) {
      int restarts = flags.isEmpty() ? 100 : memoryRestarts;
      Path dir = work.resolve("p3-" + (flags.isEmpty() ? "default" : "lean"));
      try (Inbox inbox = new Inbox();
           LauncherProcess launcher = offlineLauncher(dir, flags, inbox, "python: { configRestartInterval: 0s }")) {
        inbox.await("listening", e -> true, WAIT);
        Thread.sleep(3000);
        ProcStatus rest = ProcStatus.of(launcher.pid());
        ProcStatus afterOne = null;
        ProcStatus afterTenth = null;
        for (int v = 1; v <= restarts; v++) {
          change(dir, inbox, v);
          if (v == 1) {
            afterOne = ProcStatus.of(launcher.pid());
          }
          if (v == restarts / 10) {
            afterTenth = ProcStatus.of(launcher.pid());
          }
        }
        Thread.sleep(1000);
        ProcStatus afterAll = ProcStatus.of(launcher.pid());
        report.add(row(flags, "at rest, 3 s after start", rest));
        report.add(row(flags, "after 1 restart", afterOne));
        report.add(row(flags, "after " + restarts / 10 + " restarts", afterTenth));
        report.add(row(flags, "after " + restarts + " restarts", afterAll));
        stop(launcher);
      }
    }
    report.add("");
  }

  private static String row(List<String> flags, String moment, ProcStatus status) {
    return "| " + label(flags) + " | " + moment + " | " + status.rssMib() + " | " + status.threads() + " | "
        + status.fds() + " |";
  }

  // ---- P4, P5 ----

  private void cluster() throws Exception {
    Path dir = work.resolve("cluster");
    int port = FreePort.find();
    try (FakeConfigService service = FakeConfigService.start(); Inbox inbox = new Inbox()) {
      PythonProject project = PythonProject.in(dir).withConf("bench-cluster", port, service.address(), "{}");
      project.write("conf/default_remote_config.json", "{\"v\":0}");
      project.write("conf/module.yml", "requiredModules: [auth]\n");
      Map<String, String> environment = new HashMap<>(project.environment());
      environment.put("FIXTURE_NOTIFY", inbox.address());
      try (LauncherProcess launcher = LauncherProcess.start(JAR, dir, environment, LEAN)) {
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
        report.add("#### P4, P5 cluster mode (config-service double in the benchmark's JVM, launcher with the lean "
            + "flags)");
        report.add("");
        report.add("| Measure | n | median | p95 | target |");
        report.add("|---|---|---|---|---|");
        Stats a = Stats.ofNanos(addresses);
        report.add(String.format("| P4 `<m>_MODULE_CONNECTED` sent → POST handled by the child | %d | %.2f ms "
            + "| %.2f ms | ≤ 5 ms median |", a.count(), a.median(), a.p95()));

        List<Long> configs = new ArrayList<>();
        for (int v = 1; v <= 12; v++) {
          int value = v;
          Thread.sleep(1600); // past configRestartInterval: each change is a restart of its own
          long sent = System.nanoTime();
          service.pushConfig("bench-cluster", "{\"v\":" + v + "}");
          JsonNode started = inbox.await("started", e -> e.path("config").path("v").asInt() == value, WAIT);
          long pid = started.get("pid").asLong();
          JsonNode listening = inbox.await("listening", e -> e.get("pid").asLong() == pid, WAIT);
          if (v > 2) {
            configs.add(listening.get("monotonicNs").asLong() - sent);
          }
        }
        Stats c = Stats.ofNanos(configs);
        report.add(String.format("| `CONFIG:SEND_CONFIG_CHANGED` sent → new child listening | %d | %.1f ms "
            + "| %.1f ms | floor + P1 overhead |", c.count(), c.median(), c.p95()));

        Thread.sleep(2000);
        inbox.clear();
        int startedBefore = project.events("started").size();
        long burst = System.nanoTime();
        for (int v = 101; v <= 200; v++) {
          service.pushConfig("bench-cluster", "{\"v\":" + v + "}");
          Thread.sleep(Math.max(0, (v - 100) * 10L - (System.nanoTime() - burst) / 1_000_000));
        }
        long burstMillis = (System.nanoTime() - burst) / 1_000_000;
        JsonNode last = inbox.await("started", e -> e.path("config").path("v").asInt() == 200, WAIT);
        JsonNode lastListening = inbox.await("listening", e -> e.get("pid").asLong() == last.get("pid").asLong(),
            WAIT);
        long toFinal = (lastListening.get("monotonicNs").asLong() - burst) / 1_000_000;
        Thread.sleep(3000);
        int restarts = project.events("started").size() - startedBefore;
        report.add("| P5 100 `CONFIG:SEND_CONFIG_CHANGED` in " + burstMillis + " ms | 1 | " + restarts
            + " restarts; final config's child listening " + toFinal + " ms after the first push | | "
            + "≤ 2 restarts |");
        report.add("");
        stop(launcher);
      }
    }
  }

  // ---- helpers ----

  private LauncherProcess offlineLauncher(Path dir, List<String> flags, Inbox inbox, String extraConfig)
      throws IOException {
    PythonProject project = PythonProject.in(dir).withConf("bench", FreePort.find(), "127.0.0.1:9001", "{\"v\":0}");
    if (!extraConfig.isEmpty()) {
      project.write("conf/config.yml", Files.readString(dir.resolve("conf/config.yml")) + extraConfig + "\n");
    }
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.put("FIXTURE_NOTIFY", inbox.address());
    return LauncherProcess.start(JAR, dir, environment, flags);
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

  private static void stop(LauncherProcess launcher) {
    launcher.signal("TERM");
    launcher.awaitExit(Duration.ofSeconds(20));
  }

  private static String label(List<String> flags) {
    return flags.isEmpty() ? "defaults" : "`" + String.join(" ", flags) + "`";
  }

  private static String cell(List<Long> nanos) {
    Stats stats = Stats.ofNanos(nanos);
    return String.format("%.1f ms (%.1f)", stats.median(), stats.p95());
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
