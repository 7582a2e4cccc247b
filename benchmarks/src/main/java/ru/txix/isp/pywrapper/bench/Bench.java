package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import ru.txix.isp.pywrapper.testing.ProcStatus;
import ru.txix.isp.pywrapper.testing.Uv;

/**
 * {@code make bench}: the host against real uv/Python children, side by side in one run for each way of
 * running it — JDK 17 with {@code java -jar}, with the start script's lean flags, with the script and its CDS
 * archive (the production command), and JDK 25 with the script and its AOT cache — against the floors (a JVM
 * hello world with the same flags, {@code uv run main.py} alone). Prints a markdown report and writes it to
 * {@code bench/results/latest.md}.
 *
 * <p>Sections (choose with {@code -Dbench.only=START,MEMORY,P1,CLUSTER,P6}): start, stop and memory per
 * configuration (with P1, the config change); P4/P5 in cluster mode, and failover in a cluster of three config
 * services; P6 zero-downtime under load. Sizes: {@code -Dbench.coldStarts} (20), {@code -Dbench.samples} (40, P1),
 * {@code -Dbench.memoryRestarts} (1000), {@code -Dbench.failovers} (10 of each kind),
 * {@code -Dbench.jdk25} (the JDK 25 java; the column is left out when it is missing). The distribution from
 * {@code make dist} ({@code dist/isp-python-wrapper-*-linux-x64}, or the folders {@code -Dbench.dist} names, comma
 * separated) gets a column of its own, its cache trained on the benchmark's module as the production command's is;
 * {@code -Dbench.skip=plain,lean,jdk25} leaves out those columns.
 */
public final class Bench {
  private final int coldStarts = Integer.getInteger("bench.coldStarts", 20);
  private final int samples = Integer.getInteger("bench.samples", 40);
  private final int memoryRestarts = Integer.getInteger("bench.memoryRestarts", 1000);
  private final String only = System.getProperty("bench.only", "START,MEMORY,P1,CLUSTER,P6");
  private final String dists = System.getProperty("bench.dist", defaultDistribution());
  private final List<String> skipped = List.of(System.getProperty("bench.skip", "").split(","));
  private final Path work;
  private final List<String> report = new ArrayList<>();

  private Bench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    if (!Files.exists(HostConfig.JAR)) {
      throw new IllegalStateException(HostConfig.JAR + " is missing: run `make build` first");
    }
    new Bench(Files.createTempDirectory("pywrapper-bench")).run();
  }

  /** The folder {@code make dist} wrote, if there is one: dist/isp-python-wrapper-*-linux-x64. */
  private static String defaultDistribution() {
    try (var folders = Files.newDirectoryStream(Path.of("dist"), "isp-python-wrapper-*-linux-x64")) {
      for (Path folder : folders) {
        if (Files.isDirectory(folder)) {
          return folder.toString();
        }
      }
    } catch (IOException e) {
      // no dist/
    }
    return "";
  }

  private void run() throws Exception {
    Path java17 = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Path java25 = Path.of(System.getProperty("bench.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
    header(java17);
    Map<HostConfig, HostRuns> columns = new LinkedHashMap<>();
    if (!skipped.contains("plain")) {
      columns.put(HostConfig.plain(java17), null);
    }
    if (!skipped.contains("lean")) {
      columns.put(HostConfig.script("JDK 17, script's lean flags, no cache", java17, work.resolve("install-lean"),
          null), null);
    }
    HostRuns production = new HostRuns(null, work.resolve("probe"));
    HostConfig archive = HostConfig.script("**JDK 17, `isp-python-wrapper` with its CDS archive**", java17,
        work.resolve("install-17"), production.projectDir());
    columns.put(archive, null);
    if (Files.isExecutable(java25) && !skipped.contains("jdk25")) {
      columns.put(HostConfig.script("JDK 25, `isp-python-wrapper` with its AOT cache", java25,
          work.resolve("install-25"), production.projectDir()), null);
    }
    int distIndex = 0;
    for (String folder : dists.split(",")) {
      Path dist = Path.of(folder.strip());
      if (!folder.isBlank() && Files.isExecutable(dist.resolve("bin/isp-python-wrapper"))) {
        columns.put(HostConfig.distribution("**the distribution** (`make dist`; its runtime: JDK "
            + HostConfig.feature(dist.resolve("runtime/bin/java")) + ", jlink)", dist,
            work.resolve("install-dist-" + distIndex++), production.projectDir()), null);
      }
    }
    int index = 0;
    for (HostConfig config : columns.keySet()) {
      columns.put(config, new HostRuns(config, work.resolve("host-" + index++)));
    }
    if (only.contains("START") || only.contains("MEMORY") || only.contains("P1")) {
      hostTable(columns);
    }
    if (only.contains("CLUSTER")) {
      report.addAll(ClusterBench.run(archive, work.resolve("cluster"), samples));
    }
    if (only.contains("P6")) {
      report.addAll(ZeroDowntimeBench.run(archive, work));
    }
    String text = String.join("\n", report) + "\n";
    System.out.println();
    System.out.println(text);
    Path out = Path.of("bench/results/latest.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text);
    System.out.println("written to " + out);
  }

  private void hostTable(Map<HostConfig, HostRuns> columns) throws Exception {
    HelloWorld hello = new HelloWorld(work);
    Map<HostConfig, Column> results = new LinkedHashMap<>();
    List<Long> startFloor = new ArrayList<>();
    List<Long> stopFloor = new ArrayList<>();
    try (Floor floor = new Floor(work.resolve("floor"))) {
      for (int i = 0; i < coldStarts + 1; i++) {
        long[] sample = floor.sample();
        if (i > 0) {
          startFloor.add(sample[0]);
          stopFloor.add(sample[1]);
        }
      }
      for (Map.Entry<HostConfig, HostRuns> column : columns.entrySet()) {
        HostConfig config = column.getKey();
        System.out.println("measuring: " + config.name());
        Column c = new Column();
        for (int i = 0; i < coldStarts + 1; i++) {
          long nanos = hello.wallNanos(config.java(), config.helloFlags());
          if (i > 0) {
            c.hello.add(nanos);
          }
        }
        c.helloRest = hello.atRest(config.java(), config.helloFlags());
        if (only.contains("START")) {
          c.starts = column.getValue().coldStarts(coldStarts);
        }
        if (only.contains("MEMORY")) {
          c.memory = column.getValue().memory(memoryRestarts);
        }
        if (only.contains("P1")) {
          c.p1 = column.getValue().configChanges(floor, samples);
        }
        results.put(config, c);
      }
    }
    report.add("#### Start, memory, stop, config change: the host in " + results.size()
        + " ways against the floors");
    report.add("");
    StringBuilder head = new StringBuilder("| measure (median; p95 in brackets) |");
    StringBuilder rule = new StringBuilder("|---|");
    for (HostConfig config : results.keySet()) {
      head.append(' ').append(config.name()).append(" |");
      rule.append("---|");
    }
    report.add(head.toString());
    report.add(rule.toString());
    row(results, "JVM hello world, same flags (no cache): exec → exit (n = " + coldStarts + ")",
        c -> cell(c.hello));
    row(results, "`uv run main.py` alone: exec → listening", c -> cell(startFloor));
    if (only.contains("START")) {
      row(results, "**exec → child spawned** (n = " + coldStarts + ")", c -> cell(c.starts, HostRuns.Start::spawned));
      row(results, "… ÷ hello world (target ≤ 4)", c -> ratio(median(c.starts, HostRuns.Start::spawned),
          median(c.hello)));
      row(results, "exec → child listening", c -> cell(c.starts, HostRuns.Start::listening));
      row(results, "stop: SIGTERM → host exited", c -> cell(c.starts, HostRuns.Start::stop));
      row(results, "**stop − the child's own exit** (`uv run` alone: " + cell(stopFloor) + "; target ≤ 10 ms)",
          c -> String.format("%.1f ms", median(c.starts, HostRuns.Start::stop) - median(stopFloor)));
    }
    row(results, "hello world at rest: RSS (anonymous) / threads", c -> memory(c.helloRest));
    if (only.contains("MEMORY")) {
      row(results, "**host at rest** (" + HostRuns.REST.toSeconds() + " s after start): RSS (anonymous) / "
          + "threads", c -> memory(c.memory.rest()));
      row(results, "… RSS ÷ hello world's (target ≤ 1.4; threads ≤ 12)",
          c -> ratio(c.memory.rest().rssKib(), c.helloRest.rssKib()));
      row(results, "after the first metrics scrape", c -> memory(c.memory.scraped()));
      row(results, "after " + memoryRestarts + " restarts (config changes), " + HostRuns.REST.toSeconds()
          + " s later", c -> memory(c.memory.afterRestarts()));
    }
    if (only.contains("P1")) {
      row(results, "**P1 config change: host overhead over the floor** (n = " + samples + "; target ≤ 10 ms)",
          c -> cell(c.p1));
    }
    report.add("");
    report.add("Hello world: `java <the host's flags> Hello` (the JDK's default CDS archive, not the host's). "
        + "Spawned: the host's log line written right after `posix_spawn` returned. Listening and P1: the fixture's "
        + "own clock. P1: `conf/config.json` replaced until the new child listens, minus a start of `uv run "
        + "main.py` alone measured just before (pairs). Stop: after 1 s of rest, SIGTERM to the host until it "
        + "exited (child stopped, leftovers swept); the child's own exit is `uv run main.py`'s after SIGTERM. "
        + "The caches are trained on the benchmark's module (`isp-python-wrapper --create-cache` in its folder).");
    report.add("");
  }

  private void row(Map<HostConfig, Column> results, String label, Function<Column, String> cell) {
    StringBuilder line = new StringBuilder("| " + label + " |");
    results.values().forEach(c -> line.append(' ').append(cell.apply(c)).append(" |"));
    report.add(line.toString());
  }

  private void header(Path java) throws IOException {
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
    String uv = new String(new ProcessBuilder(Uv.binary().toString(), "--version").start().getInputStream()
        .readAllBytes()).strip();
    long memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
        .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).orElse(0L);
    report.add("Measured " + LocalDate.now() + " on " + cpu + " (" + Runtime.getRuntime().availableProcessors()
        + " cores, " + memory + " GiB), " + System.getProperty("os.name") + " " + System.getProperty("os.version")
        + ", Java " + System.getProperty("java.version") + " (" + java + "), " + uv + "; the Python fixture "
        + "serves HTTP with the standard library; offline mode. Jar: "
        + Files.size(HostConfig.JAR) / 1024 + " KiB.");
    report.add("");
  }

  private static final class Column {
    final List<Long> hello = new ArrayList<>();
    ProcStatus helloRest;
    List<HostRuns.Start> starts = List.of();
    HostRuns.Memory memory;
    List<Long> p1 = List.of();
  }

  private static double median(List<Long> nanos) {
    return Stats.ofNanos(nanos).median();
  }

  private static double median(List<HostRuns.Start> starts, Function<HostRuns.Start, Long> field) {
    return median(starts.stream().map(field).toList());
  }

  private static String cell(List<Long> nanos) {
    Stats stats = Stats.ofNanos(nanos);
    return String.format("%.1f ms (%.1f)", stats.median(), stats.p95());
  }

  private static String cell(List<HostRuns.Start> starts, Function<HostRuns.Start, Long> field) {
    return cell(starts.stream().map(field).toList());
  }

  private static String ratio(double value, double floor) {
    return String.format("%.2f×", value / floor);
  }

  private static String memory(ProcStatus status) {
    return String.format("%.1f MiB (%.1f) / %d", status.rssKib() / 1024.0, status.anonKib() / 1024.0,
        status.threads());
  }
}
