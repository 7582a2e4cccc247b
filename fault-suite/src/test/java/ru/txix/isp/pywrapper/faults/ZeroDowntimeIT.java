package ru.txix.isp.pywrapper.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.LoadGenerator;
import ru.txix.isp.pywrapper.testing.LoadGenerator.Result;
import ru.txix.isp.pywrapper.testing.ProcessChecks;

/**
 * Zero-downtime restarts under load: with {@code python.socket: inherit} the host holds the listening socket,
 * so connections made while no child runs wait in its backlog; with {@code python.readiness: notify} too, a new
 * child starts while the old one still serves. A bounded load (200 requests/s on loopback) measures what a
 * user would see.
 */
@Tag("process")
@TestMethodOrder(MethodOrderer.MethodName.class)
class ZeroDowntimeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Map<String, String> INHERIT = Map.of("CLUSTER_MODE", "offline", "python.socket", "inherit",
      "python.restartDelay", "500ms");

  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  void s18InheritedSocketKillNineOfTheChildUnderLoadRefusesNoConnection() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      s.start(INHERIT);
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 1);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      assertThat(s.project.events("listening").get(0).get("inherited").asBoolean()).isTrue();
      long python = s.project.events("started").get(0).get("pid").asLong();

      List<Result> results;
      try (LoadGenerator load = LoadGenerator.start(s.port, "/", 200, REQUEST_TIMEOUT)) {
        Thread.sleep(2000);
        signal("KILL", python);
        await().atMost(WAIT).until(() -> s.project.events("listening").size() == 2);
        Thread.sleep(2000);
        load.close();
        results = load.results();
      }

      long refused = LoadGenerator.count(results, "refused");
      long lost = LoadGenerator.count(results, "lost");
      long ok = LoadGenerator.count(results, "ok");
      assertThat(refused).as("refused connections").isZero();
      assertThat(ok + lost).as("every request either served or in flight on the killed child: %s",
          failures(results)).isEqualTo(results.size());
      Scenario.summary("18 python.socket inherit, kill -9 of the child under 200 requests/s: " + results.size()
          + " requests, " + refused + " refused, " + lost + " lost in flight on the killed child, " + ok
          + " served (p99 " + Math.round(LoadGenerator.percentile(results, 99)) + " ms, the longest waited in the "
          + "backlog for the next child)");
    }
  }

  @Test
  @Timeout(150)
  void s19OverlapTwentyConfigChangesUnderLoadFailNoRequest() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":0}")) {
      s.start(overlap());
      await().atMost(WAIT).until(() -> s.project.events("notified").size() == 1);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));

      List<Result> results;
      try (LoadGenerator load = LoadGenerator.start(s.port, "/", 200, REQUEST_TIMEOUT)) {
        Thread.sleep(2000);
        for (int v = 1; v <= 20; v++) {
          s.replaceOfflineConfig("{\"v\":" + v + "}");
          int count = v + 1;
          await().atMost(WAIT).until(() -> s.project.events("notified").size() == count);
          Thread.sleep(100);
        }
        Thread.sleep(1000);
        load.close();
        results = load.results();
      }

      assertThat(failures(results)).as("failed requests during 20 overlapped restarts").isEmpty();
      Scenario.summary("19 python.socket inherit + readiness notify, 20 config changes under 200 requests/s: "
          + results.size() + " requests, 0 failed, p50 " + round(LoadGenerator.percentile(results, 50))
          + " ms, p99 " + round(LoadGenerator.percentile(results, 99)) + " ms");
    }
  }

  @Test
  @Timeout(120)
  void s20OverlapANewChildThatNeverGetsReadyLeavesTheOldOneServing() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      LauncherProcess host = s.start(overlap());
      await().atMost(WAIT).until(() -> s.project.events("notified").size() == 1);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      long serving = s.project.events("started").get(0).get("pid").asLong();

      List<Result> results;
      try (LoadGenerator load = LoadGenerator.start(s.port, "/", 200, REQUEST_TIMEOUT)) {
        Thread.sleep(1000);
        s.replaceOfflineConfig("{\"v\":2,\"neverReady\":true}");
        host.awaitLogContaining("config not applied: the new python process was not ready within 3s",
            Duration.ofSeconds(30));
        Thread.sleep(1000);
        load.close();
        results = load.results();
      }

      assertThat(failures(results)).as("failed requests").isEmpty();
      assertThat(s.project.events("started").get(0).get("pid").asLong()).isEqualTo(serving);
      assertThat(s.component("pythonProcess")).isEqualTo("pass");
      String error = JsonNodes.readTree(s.get("/internal/supervisor").body()).path("lastError").path("message")
          .asString();
      assertThat(error).startsWith("config not applied: ");
      Scenario.summary("20 overlap, the new child never sends READY=1: after python.startTimeout (3 s) it was "
          + "stopped, the old one (pid " + serving + ") kept serving " + results.size() + " requests, 0 failed");
    }
  }

  /**
   * Found by the chaos runner (seed 23): with {@code python.socket: inherit} the child holds the listening socket
   * (fd 3), so after a SIGKILL of the host its orphaned child keeps the port bound; the next host bound the port
   * before it reaped the previous host's child (the child record), failed with "Address already in use" and exited
   * 1 — and every later start failed the same way. The socket is now bound after the reaping.
   */
  @Test
  @Timeout(120)
  void s23InheritedSocketHostKilledAndRestartedReapsTheStaleChildHoldingThePort() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      LauncherProcess first = s.start(INHERIT);
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 1);
      List<Long> stale = new ArrayList<>(s.project.recordedPids());
      stale.add(s.project.events("started").get(0).get("ppid").asLong());
      first.signal("KILL");
      first.awaitExit(Duration.ofSeconds(10));
      assertThat(ProcessChecks.aliveOf(stale)).hasSize(2);

      LauncherProcess second = s.start(INHERIT);
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 2 || !second.alive());

      assertThat(second.alive()).as("the second host runs; its output: %s", second.lines()).isTrue();
      assertThat(ProcessChecks.aliveOf(stale)).isEmpty();
      assertThat(s.project.events("listening").get(1).get("inherited").asBoolean()).isTrue();
      Scenario.summary("23 python.socket inherit, host killed with SIGKILL and restarted: the orphaned child "
          + "holding the port (" + stale + ") was reaped, the new child serves the host's socket");
    }
  }

  private static Map<String, String> overlap() {
    return Map.of("CLUSTER_MODE", "offline", "python.socket", "inherit", "python.readiness", "notify",
        "python.startTimeout", "3s", "python.configRestartInterval", "0s");
  }

  private static List<String> failures(List<Result> results) {
    return results.stream().filter(r -> !r.ok()).map(Result::outcome).toList();
  }

  private static long round(double value) {
    return Math.round(value);
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }
}
