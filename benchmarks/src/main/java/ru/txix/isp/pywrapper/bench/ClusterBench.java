package ru.txix.isp.pywrapper.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import tools.jackson.databind.JsonNode;

/** P4, P5: cluster mode against a config-service double in the benchmark's JVM. */
final class ClusterBench {
  private static final Duration WAIT = HostRuns.WAIT;

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
    return report;
  }
}
