package ru.txix.isp.pywrapper.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FakeConfigService.Received;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import tools.jackson.databind.JsonNode;

/**
 * P4, P5: cluster mode against a config-service double in the benchmark's JVM; then failover in a cluster of
 * three doubles (the node the module is on killed, the next one serving or in the middle of an election).
 */
final class ClusterBench {
  private static final Duration WAIT = HostRuns.WAIT;
  private static final int FAILOVER_ROUNDS = Integer.getInteger("bench.failovers", 10);

  private ClusterBench() {
  }

  static List<String> run(HostConfig config, Path dir, int samples) throws Exception {
    List<String> report = new ArrayList<>();
    int port = FreePort.find();
    try (FakeConfigService service = FakeConfigService.start(); Inbox inbox = new Inbox()) {
      PythonProject project = PythonProject.in(dir).withConf("bench-cluster", port, service.address(), "{}");
      project.write("conf/default_remote_config.json", "{\"v\":0}");
      project.write("conf/module.yml", "requiredModules: [auth]\n");
      Map<String, String> environment = new HashMap<>(project.environment());
      environment.put("FIXTURE_NOTIFY", inbox.address());
      try (LauncherProcess launcher = config.start(dir, environment)) {
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
        report.add("#### P4, P5 cluster mode (" + config.name() + "; config-service double in the benchmark's JVM)");
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
        launcher.signal("TERM");
        launcher.awaitExit(Duration.ofSeconds(20));
      }
    }
    report.addAll(failover(config, dir.resolveSibling(dir.getFileName() + "-failover"), FAILOVER_ROUNDS));
    return report;
  }

  /**
   * Kills the node the module is on, {@code rounds} times with the next node in the module's order serving (a
   * follower died: the others have a leader) and {@code rounds} times with it in the middle of an election (the
   * leader died: it refuses {@code MODULE:SEND_CONFIG_SCHEMA} and sends no config, the third node leads): from the
   * kill to {@code MODULE:READY} on another node. The killed node comes back before the next round.
   */
  static List<String> failover(HostConfig config, Path dir, int rounds) throws Exception {
    List<FakeConfigService> nodes = new ArrayList<>(FakeConfigService.cluster(3));
    List<Long> toFollower = new ArrayList<>();
    List<Long> pastElection = new ArrayList<>();
    int restarts;
    try {
      PythonProject project = PythonProject.in(dir).withConf("bench-failover", FreePort.find(), "127.0.0.1:9001",
          "{}");
      project.write("conf/default_remote_config.json", "{\"v\":0}");
      project.write("conf/module.yml", "requiredModules: [auth]\n");
      nodes.get(0).setAddresses("auth", "[{\"ip\":\"10.1.0.1\",\"port\":\"9001\"}]");
      Map<String, String> environment = new HashMap<>(project.environment());
      environment.put("configServiceAddress.ip", "127.0.0.1;127.0.0.1;127.0.0.1");
      environment.put("configServiceAddress.port", nodes.get(0).port() + ";" + nodes.get(1).port() + ";"
          + nodes.get(2).port());
      // The module starts at a random node: it lands on the first, the others refusing it until then.
      nodes.get(1).midElection();
      nodes.get(2).midElection();
      try (LauncherProcess launcher = config.start(dir, environment)) {
        nodes.get(0).await(ClusterEvents.MODULE_READY, WAIT);
        nodes.get(1).stopRefusing();
        nodes.get(2).stopRefusing();
        int started = project.events("started").size();
        int on = 0;
        for (int i = 0; i < 2 * rounds + 2; i++) {
          boolean election = i % 2 == 1;
          int following = (on + 1) % 3;
          int target = election ? (on + 2) % 3 : following;
          if (election) {
            nodes.get(following).midElection();
          }
          Thread.sleep(1500); // past the 1 s any node waits between two sessions of the module
          Instant killed = Instant.now();
          nodes.get(on).kill();
          Received ready = nodes.get(target).await(ClusterEvents.MODULE_READY, r -> r.at().isAfter(killed), WAIT);
          long nanos = Duration.between(killed, ready.at()).toNanos();
          if (i >= 2) {
            (election ? pastElection : toFollower).add(nanos);
          }
          nodes.set(on, nodes.get(on).restart());
          nodes.get(following).stopRefusing();
          on = target;
        }
        restarts = project.events("started").size() - started;
        launcher.signal("TERM");
        launcher.awaitExit(Duration.ofSeconds(20));
      }
    } finally {
      nodes.forEach(FakeConfigService::close);
    }
    List<String> report = new ArrayList<>();
    report.add("#### Failover in a config-service cluster of 3 (" + config.name() + "; config-service doubles in the "
        + "benchmark's JVM)");
    report.add("");
    report.add("| The node the module is on is killed; next in the module's order | n | median | p95 | target |");
    report.add("|---|---|---|---|---|");
    Stats f = Stats.ofNanos(toFollower);
    report.add(String.format("| serves (a follower died): kill → `MODULE:READY` on it | %d | %.0f ms | %.0f ms "
        + "| ≤ 3 s |", f.count(), f.median(), f.p95()));
    Stats e = Stats.ofNanos(pastElection);
    report.add(String.format("| is mid-election (the leader died): refuses `MODULE:SEND_CONFIG_SCHEMA`, no config; "
        + "kill → `MODULE:READY` on the third | %d | %.0f ms | %.0f ms | ≤ 3 s |", e.count(), e.median(), e.p95()));
    report.add("");
    report.add("The Python child was restarted " + restarts + " times by the " + 2 * (rounds + 1) + " failovers.");
    report.add("");
    return report;
  }
}
