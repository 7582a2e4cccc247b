package ru.txix.isp.pywrapper.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.LoadGenerator;
import ru.txix.isp.pywrapper.testing.PythonProject;

/**
 * P6: 200 requests/s to the child through 20 config changes, for each way of handing over the port: failed
 * requests, and latency during the changes against at rest. The last row is a service built on the companion
 * package ({@code isp_wrapper.serve}, uvicorn) with slow requests (300 ms) in flight besides: the drain's proof.
 */
final class ZeroDowntimeBench {
  private static final Duration WAIT = HostRuns.WAIT;
  private static final int RATE = 200;
  private static final int CHANGES = 20;
  private static final int SLOW_RATE = 40;

  private ZeroDowntimeBench() {
  }

  static List<String> run(HostConfig config, Path work) throws Exception {
    List<String> report = new ArrayList<>();
    report.add("#### P6 zero-downtime: " + RATE + " requests/s through " + CHANGES + " config changes (" + config.name()
        + ")");
    report.add("");
    report.add("| mode | requests | failed (refused / lost / timed out) | p50 / p99 at rest | p50 / p99 during "
        + "changes | target |");
    report.add("|---|---|---|---|---|---|");
    Map<String, String> overlap = Map.of("python.socket", "inherit", "python.readiness", "notify");
    report.add(mode(config, work.resolve("p6-bind"), "`bind` (python.socket: bind)", Map.of(), false,
        "(today's gap)"));
    report.add(mode(config, work.resolve("p6-inherit"), "`inherit`", Map.of("python.socket", "inherit"), false,
        "0 failed"));
    report.add(mode(config, work.resolve("p6-overlap"), "`inherit` + `notify` (overlap)", overlap, false,
        "0 failed, p99 ≤ 2× at rest"));
    report.add(mode(config, work.resolve("p6-package"), "`inherit` + `notify`, service on `isp_wrapper` (uvicorn), "
        + "+ " + SLOW_RATE + " slow (300 ms) requests/s", overlap, true, "0 failed"));
    report.add("");
    report.add("\"During changes\": requests sent from a change's write until the new child is ready, plus 200 ms; "
        + "\"at rest\": the 2 s before the first change. Loopback, one connection per request, 10 s timeout. "
        + "The rows before the last run the standard-library fixture; the last runs a service built on the companion "
        + "package (`isp_wrapper.serve`, uvicorn), with slow requests besides (counted in requests and failed; "
        + "latencies of the 200 requests/s only), so that each old child is serving slow requests at its SIGTERM.");
    report.add("");
    return report;
  }

  private static String mode(HostConfig config, Path dir, String name, Map<String, String> settings, boolean onPackage,
                             String target) throws Exception {
    int port = FreePort.find();
    PythonProject project = (onPackage ? PythonProject.packageService(dir) : PythonProject.in(dir))
        .withConf("bench-p6", port, "127.0.0.1:9001", "{\"v\":0}");
    Path root = project.root();
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.put("python.configRestartInterval", "0s");
    environment.putAll(settings);
    boolean notify = settings.containsKey("python.readiness");
    String ready = onPackage ? "ready" : notify ? "notified" : "listening";
    try (LauncherProcess host = config.start(root, environment)) {
      awaitEvents(project, ready, 1);
      Thread.sleep(1000);
      List<long[]> windows = new ArrayList<>();
      long restFrom;
      long restTo;
      List<LoadGenerator.Result> results;
      List<LoadGenerator.Result> slowResults = List.of();
      try (LoadGenerator load = LoadGenerator.start(port, "/", RATE, Duration.ofSeconds(10));
           LoadGenerator slow = onPackage ? LoadGenerator.start(port, "/slow", SLOW_RATE, Duration.ofSeconds(10))
               : null) {
        restFrom = System.nanoTime();
        Thread.sleep(2000);
        restTo = System.nanoTime();
        for (int v = 1; v <= CHANGES; v++) {
          long from = System.nanoTime();
          Path temp = root.resolve("conf/config.json.tmp");
          Files.writeString(temp, "{\"v\":" + v + "}");
          Files.move(temp, root.resolve("conf/config.json"), StandardCopyOption.ATOMIC_MOVE);
          awaitEvents(project, ready, v + 1);
          windows.add(new long[] {from, System.nanoTime() + 200_000_000L});
          Thread.sleep(300);
        }
        Thread.sleep(500);
        load.close();
        results = load.results();
        if (slow != null) {
          slow.close();
          slowResults = slow.results();
        }
      }
      // the slow requests each old child was serving when its SIGTERM came (before the host's own stop)
      IntSummaryStatistics inFlight = project.events("sigterm").stream().filter(e -> e.has("slowInFlight"))
          .mapToInt(e -> e.get("slowInFlight").asInt()).summaryStatistics();
      host.signal("TERM");
      host.awaitExit(Duration.ofSeconds(20));
      List<LoadGenerator.Result> rest = results.stream().filter(r -> r.startNanos() >= restFrom
          && r.startNanos() < restTo).toList();
      List<LoadGenerator.Result> during = results.stream().filter(r -> windows.stream().anyMatch(w ->
          r.startNanos() >= w[0] && r.startNanos() < w[1])).toList();
      List<LoadGenerator.Result> all = new ArrayList<>(results);
      all.addAll(slowResults);
      long failed = all.stream().filter(r -> !r.ok()).count();
      String requests = Integer.toString(results.size());
      if (onPackage) {
        requests += " + " + slowResults.size() + " slow (" + inFlight.getMin() + "–" + inFlight.getMax()
            + " in flight at each of " + inFlight.getCount() + " SIGTERMs)";
      }
      return String.format("| %s | %s | %d (%d / %d / %d) | %.1f / %.1f ms | %.1f / %.1f ms | %s |", name,
          requests, failed, LoadGenerator.count(all, "refused"), LoadGenerator.count(all, "lost"),
          LoadGenerator.count(all, "timeout"), LoadGenerator.percentile(rest, 50),
          LoadGenerator.percentile(rest, 99), LoadGenerator.percentile(during, 50),
          LoadGenerator.percentile(during, 99), target);
    }
  }

  private static void awaitEvents(PythonProject project, String event, int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (project.events(event).size() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + count + " '" + event + "' events within " + WAIT);
      }
      Thread.sleep(10);
    }
  }
}
