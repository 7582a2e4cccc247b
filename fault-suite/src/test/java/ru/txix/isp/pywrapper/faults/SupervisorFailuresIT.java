package ru.txix.isp.pywrapper.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import tools.jackson.databind.JsonNode;

/**
 * The failures people hit in their first week, with the launcher jar, a real uv/Python child and real signals:
 * a crash loop backs off, too many quick exits end the host, a port held by another process is reported and
 * waited out, a child that never binds is reported, a hung child is replaced, and every process of the child
 * gets SIGTERM exactly once. Each scenario prints one "FAULT n" line.
 */
@Tag("process")
@TestMethodOrder(MethodOrderer.MethodName.class)
class SupervisorFailuresIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  @Timeout(240)
  void s12CrashLoopBacksOffTwoFourEightSixteenAndALongLivedChildResetsItWhileAHealthyChildIsNeverReplaced()
      throws Exception {
    try (Scenario healthy = new Scenario(dir.resolve("healthy"), "127.0.0.1:9001", "{\"v\":1}");
         Scenario crashing = new Scenario(dir.resolve("crashing"), "127.0.0.1:9001", "{\"exitCode\":1}")) {
      LauncherProcess steady = healthy.start(Map.of("CLUSTER_MODE", "offline", "python.liveness.path", "/health",
          "python.liveness.period", "1s", "python.liveness.timeout", "1s"));
      Instant healthySince = Instant.now();
      LauncherProcess host = crashing.start(Map.of("CLUSTER_MODE", "offline", "python.restartDelayMax", "16s",
          "python.backoffResetAfter", "20s"));

      await().atMost(Duration.ofSeconds(120)).until(() -> crashing.project.events("started").size() >= 6);
      List<Long> waits = waitsBeforeEachStart(host);
      crashing.replaceOfflineConfig("{\"exitAfter\":22}");
      await().atMost(WAIT).until(() -> crashing.project.events("exiting").size() == 1);
      int startedBefore = crashing.project.events("started").size();
      await().atMost(Duration.ofSeconds(10)).until(() -> crashing.project.events("started").size() > startedBefore);
      List<Long> after = waitsBeforeEachStart(host);
      long reset = after.get(after.size() - 1);
      long quiet = Stream.of("python service exited", "python service started")
          .mapToLong(text -> host.logsContaining(text).size()).sum();

      assertThat(waits.subList(0, 5)).as("waits (ms) %s", waits).satisfiesExactly(
          w -> assertThat(w).isBetween(1_600L, 2_400L), w -> assertThat(w).isBetween(3_200L, 4_800L),
          w -> assertThat(w).isBetween(6_400L, 9_600L), w -> assertThat(w).isBetween(12_800L, 19_200L),
          w -> assertThat(w).isBetween(12_800L, 19_200L));
      assertThat(reset).as("after a child that lived 22 s (> backoffResetAfter 20 s)").isBetween(1_600L, 2_400L);
      assertThat(host.logsContaining("quick exits in a row")).isNotEmpty();
      await().atMost(Duration.ofSeconds(90)).until(() -> Duration.between(healthySince, Instant.now()).toSeconds() >= 60);
      assertThat(healthy.project.events("started")).as("a healthy child with liveness on is never replaced")
          .hasSize(1);
      Scenario.summary("12 crash loop (restartDelayMax 16 s): waits before each start " + waits.subList(0, 5)
          + " ms, after a child that lived 22 s " + reset + " ms again; " + quiet + " log lines for "
          + crashing.project.events("started").size() + " starts; a healthy child with liveness on (1 s period) "
          + "ran 60 s unreplaced");
    }
  }

  @Test
  @Timeout(120)
  void s13MaxRestartsEndsTheHostWithExitCodeOneAfterTheLastQuickExit() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"exitCode\":1}")) {
      LauncherProcess host = s.start(Map.of("CLUSTER_MODE", "offline", "python.maxRestarts", "3"));

      int code = host.awaitExit(Duration.ofSeconds(60));

      assertThat(code).isEqualTo(1);
      assertThat(s.project.events("started")).hasSize(4);
      List<JsonNode> fatal = host.logs(l -> l.get("message").asString().startsWith("fatal: "));
      assertThat(fatal).singleElement().extracting(l -> l.get("message").asString()).asString()
          .isEqualTo("fatal: giving up: the python service exited quickly 4 times in a row (python.maxRestarts: 3); "
              + "last: exit code 1");
      assertThat(host.logs(l -> l.get("level").asString().equals("ERROR"))).hasSize(1);
      Scenario.summary("13 python.maxRestarts 3: after the 4th quick exit one fatal line, host exit code " + code);
    }
  }

  @Test
  @Timeout(120)
  void s14APortHeldByAnotherProcessIsReportedWithItsHolderAndWaitedOut() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      ServerSocket foreign = new ServerSocket();
      foreign.bind(new InetSocketAddress("127.0.0.1", s.port));
      long self = ProcessHandle.current().pid();
      LauncherProcess host = s.start(Map.of("CLUSTER_MODE", "offline"));
      JsonNode error = host.awaitLogContaining("is already in use", WAIT);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("fail"));
      String health = JsonNodes.readTree(s.get("/internal/health").body()).path("details").path("pythonProcess")
          .path(0).path("output").asString();
      Thread.sleep(3000);
      int startedWhileHeld = s.project.events("started").size();

      foreign.close();
      Instant freed = Instant.now();
      await().atMost(Duration.ofSeconds(15)).until(() -> s.component("pythonProcess").equals("pass"));
      long runningAfter = Duration.between(freed, Instant.now()).toMillis();

      assertThat(startedWhileHeld).as("no child spawned while the port is held").isZero();
      assertThat(error.get("message").asString()).contains("BINDING_ADDRESS 127.0.0.1:" + s.port
          + " is already in use").contains("held by pid " + self + " (");
      assertThat(health).startsWith("backoff: ").contains("held by pid " + self);
      assertThat(host.logsContaining("is already in use")).as("not a line per retry").hasSize(1);
      Scenario.summary("14 port held by another process (pid " + self + "): no child spawned, one error line naming "
          + "the holder, pythonProcess fails with it; the child was RUNNING " + runningAfter
          + " ms after the port was freed");
    }
  }

  @Test
  @Timeout(120)
  void s15AChildThatNeverBindsIsReportedAtTheStartTimeoutAndWithRestartReplaced() throws Exception {
    try (Scenario warn = new Scenario(dir.resolve("warn"), "127.0.0.1:9001", "{\"bindDelay\":600}");
         Scenario restart = new Scenario(dir.resolve("restart"), "127.0.0.1:9001", "{\"bindDelay\":600}")) {
      LauncherProcess warning = warn.start(Map.of("CLUSTER_MODE", "offline", "python.startTimeout", "3s"));
      LauncherProcess replacing = restart.start(Map.of("CLUSTER_MODE", "offline", "python.startTimeout", "3s",
          "python.startTimeoutAction", "restart"));
      long started = Instant.parse(warning.awaitLogContaining("python service started", WAIT).get("time").asString())
          .toEpochMilli();
      JsonNode line = warning.awaitLogContaining("has not accepted connections", Duration.ofSeconds(20));
      long after = Instant.parse(line.get("time").asString()).toEpochMilli() - started;
      await().atMost(WAIT).until(() -> restart.project.events("started").size() >= 2);
      Thread.sleep(1000);

      assertThat(line.get("level").asString()).isEqualTo("WARN");
      assertThat(line.get("message").asString()).contains("after 3s (python.startTimeout): pid ")
          .contains(" alive, its processes ");
      assertThat(after).isBetween(2_900L, 5_000L);
      assertThat(warn.project.events("started")).as("warn only: left running").hasSize(1);
      assertThat(replacing.logsContaining("has not accepted connections").get(0).get("message").asString())
          .endsWith("; replacing it");
      Scenario.summary("15 child never binds (python.startTimeout 3 s): WARN " + after + " ms after its start naming "
          + "its processes; with startTimeoutAction restart it was replaced");
    }
  }

  @Test
  @Timeout(120)
  void s16AHungChildIsReplacedByTheLivenessCheck() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      LauncherProcess host = s.start(Map.of("CLUSTER_MODE", "offline", "python.liveness.path", "/health",
          "python.liveness.period", "1s", "python.liveness.timeout", "1s", "python.liveness.failureThreshold", "3"));
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 1);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      long python = s.project.events("started").get(0).get("pid").asLong();

      signal("STOP", python);
      Instant hung = Instant.now();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.project.events("listening").size() == 2);
      long replacedAfter = Duration.between(hung, Instant.now()).toMillis();

      // Three failed checks (each: the 1 s timeout, then the 1 s period), the stop, the back-off 2 s and the new
      // child's start: ~8 s. The stop is quick: SIGCONT follows the SIGTERM, so the stopped process runs its
      // handler instead of waiting 5 s (python.stopTimeout) for the SIGKILL, which would make it ~13 s.
      assertThat(replacedAfter).isLessThan(11_000L);
      assertThat(s.project.events("sigterm")).as("the stopped child handled its SIGTERM")
          .anyMatch(event -> event.get("pid").asLong() == python);
      assertThat(host.logsContaining("SIGKILL")).isEmpty();
      assertThat(host.logsContaining("liveness check failed")).hasSizeGreaterThanOrEqualTo(3);
      assertThat(JsonNodes.readTree(s.get("/internal/supervisor").body()).path("restarts").path("liveness").asLong())
          .isEqualTo(1);
      Scenario.summary("16 hung child (SIGSTOP, liveness /health every 1 s, timeout 1 s, threshold 3): a new child "
          + "listened " + replacedAfter + " ms later; the stopped child ran its SIGTERM handler (SIGCONT after "
          + "SIGTERM), no SIGKILL; restarts{cause=liveness} 1");
    }
  }

  @Test
  @Timeout(180)
  void s17EveryProcessOfTheChildGetsSigtermOnceAndTheStandardLibraryExampleExitsZero() throws Exception {
    try (Scenario s = new Scenario(dir.resolve("fixture"), "127.0.0.1:9001",
        "{\"v\":0,\"termLinger\":1,\"grandchildren\":[\"recordTerm\"]}")) {
      LauncherProcess host = s.start(Map.of("CLUSTER_MODE", "offline", "python.configRestartInterval", "0s"));
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 1
          && s.project.events("grandchild-ready").size() == 1);
      JsonNode supervisor = JsonNodes.readTree(s.get("/internal/supervisor").body());
      JsonNode started = s.project.events("started").get(0);
      for (int v = 1; v <= 3; v++) {
        s.replaceOfflineConfig("{\"v\":" + v + ",\"termLinger\":1,\"grandchildren\":[\"recordTerm\"]}");
        int count = v + 1;
        await().atMost(WAIT).until(() -> s.project.events("listening").size() == count
            && s.project.events("grandchild-ready").size() == count);
      }
      host.signal("TERM");
      assertThat(host.awaitExit(Duration.ofSeconds(30))).isZero();

      List<Integer> counts = s.project.events("sigterm").stream().map(e -> e.get("count").asInt()).toList();
      assertThat(counts).as("each Python got SIGTERM once (a second within 1 s would be recorded)")
          .containsExactly(1, 1, 1, 1);
      assertThat(s.project.events("grandchild-sigterm")).as("a grandchild in the group still gets it").hasSize(4);
      assertThat(supervisor.path("pid").asLong()).as("pid: the group leader, uv").isEqualTo(started.get("ppid").asLong());
      assertThat(supervisor.path("pythonPid").asLong()).isEqualTo(started.get("pid").asLong());
      assertThat(supervisor.path("processes")).extracting(p -> p.get("pid").asLong())
          .contains(started.get("ppid").asLong(), started.get("pid").asLong());
    }
    try (Scenario hello = Scenario.example(dir.resolve("hello"), "examples/hello-service", "{\"greeting\":\"hi\"}")) {
      LauncherProcess host = hello.start(Map.of("CLUSTER_MODE", "offline", "python.configRestartInterval", "0s"));
      await().atMost(WAIT).until(() -> serving(host) == 1);
      for (int v = 1; v <= 20; v++) {
        hello.replaceOfflineConfig("{\"greeting\":\"hi " + v + "\"}");
        int count = v + 1;
        await().atMost(WAIT).until(() -> serving(host) == count);
      }
      host.signal("TERM");
      assertThat(host.awaitExit(Duration.ofSeconds(30))).isZero();

      List<Integer> codes = host.logsContaining("python service exited").stream()
          .map(l -> l.get("exitCode").asInt()).toList();
      assertThat(codes).hasSize(21).containsOnly(0);
      assertThat(host.lines()).noneMatch(line -> line.contains("Traceback") || line.contains("SystemExit"));
      Scenario.summary("17 SIGTERM once per process: 4 fixture children each recorded 1 SIGTERM (0 repeats), their "
          + "grandchildren got theirs; examples/hello-service (isp_wrapper.serve_http) exited 0 on all "
          + codes.size() + " stops, no traceback; /internal/supervisor shows uv's pid and pythonPid");
    }
  }

  /** How many hello-service processes said they listen (their handler is installed by then). */
  private static long serving(LauncherProcess host) {
    return host.lines().stream().filter(line -> line.startsWith("hello-service: pid ")).count();
  }

  /**
   * The wait before each start after the first: from the host's exit line to its next spawn line (not to the
   * child's own start event, which adds uv's and Python's start-up: up to a second on a loaded machine).
   */
  private static List<Long> waitsBeforeEachStart(LauncherProcess host) {
    List<JsonNode> exits = host.logsContaining("python service exited");
    List<JsonNode> starts = host.logs(line -> line.path("message").asString().equals("python service started"));
    List<Long> waits = new ArrayList<>();
    for (int i = 1; i < starts.size() && i - 1 < exits.size(); i++) {
      waits.add(epochMillis(starts.get(i)) - epochMillis(exits.get(i - 1)));
    }
    return waits;
  }

  private static long epochMillis(JsonNode logLine) {
    return Instant.parse(logLine.get("time").asString()).toEpochMilli();
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }

  static {
    try {
      Files.createDirectories(Path.of("target"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
