package ru.txix.isp.pywrapper.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FakeConfigService.Received;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.ProcStatus;
import ru.txix.isp.pywrapper.testing.ProcessChecks;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.JsonNode;

/**
 * The fault suite: the launcher jar as its own process, a real Python child under real uv, the config-service
 * double over loopback. Each scenario asserts what users care about — the service keeps serving, no config or
 * address list is lost, nothing is left behind — and prints one summary line ("FAULT n …").
 */
@Tag("process")
@TestMethodOrder(MethodOrderer.MethodName.class)
class FaultSuiteIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String CONNECTION = "configServiceConnection";

  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  void s01ConfigServiceKilledAndBackTenSecondsLaterDisturbsNothing() throws Exception {
    FakeConfigService service = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, service)) {
      s.start(Map.of());
      service.await(ClusterEvents.MODULE_READY, WAIT);
      await().atMost(WAIT).until(() -> s.component(CONNECTION).equals("pass")
          && s.component("pythonProcess").equals("pass"));
      long pid = s.project.events("started").get(0).get("pid").asLong();
      ChildProber prober = s.probe();
      Thread.sleep(500);

      service.kill();
      long killed = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.component(CONNECTION).equals("fail"));
      Thread.sleep(Math.max(0, 10_000 - (System.nanoTime() - killed) / 1_000_000));
      Instant backAt = Instant.now();
      FakeConfigService back = service.restart();
      s.track(back);
      Received ready = back.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(10));
      long reconnectMillis = Duration.between(backAt, ready.at()).toMillis();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.component(CONNECTION).equals("pass"));
      Thread.sleep(500);
      prober.close();

      assertThat(prober.failed()).as("failed requests to the python service: %s", prober.errors()).isZero();
      assertThat(prober.pids()).containsExactly(pid);
      assertThat(s.project.events("started")).hasSize(1);
      assertThat(reconnectMillis).as("the 1 s reconnect delay, the handshake, a loaded machine").isLessThanOrEqualTo(4000);
      Scenario.summary("1 config service killed, back after 10 s: " + prober.ok() + " requests served, 0 failed; "
          + "child not restarted (pid " + pid + "); MODULE:READY " + reconnectMillis + " ms after the service "
          + "returned; configServiceConnection fail -> pass");
    }
  }

  @Test
  @Timeout(120)
  void s02FirstOfTwoConfigServicesDiesAndTheModuleFailsOver() throws Exception {
    FakeConfigService a = FakeConfigService.start();
    FakeConfigService b = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, a, b)) {
      s.start(Map.of());
      await().atMost(WAIT).until(() -> a.received(ClusterEvents.MODULE_READY).size()
          + b.received(ClusterEvents.MODULE_READY).size() == 1);
      FakeConfigService first = a.received(ClusterEvents.MODULE_READY).isEmpty() ? b : a;
      FakeConfigService second = first == a ? b : a;
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      long pid = s.project.events("started").get(0).get("pid").asLong();
      ChildProber prober = s.probe();
      Thread.sleep(500);

      Instant died = Instant.now();
      first.kill();
      Received ready = second.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(10));
      long failoverMillis = Duration.between(died, ready.at()).toMillis();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.component(CONNECTION).equals("pass"));
      Thread.sleep(500);
      prober.close();

      assertThat(prober.failed()).as("failed requests: %s", prober.errors()).isZero();
      assertThat(prober.pids()).containsExactly(pid);
      assertThat(s.project.events("started")).hasSize(1);
      assertThat(failoverMillis).as("the failover at once, the handshake, a loaded machine").isLessThanOrEqualTo(4000);
      Scenario.summary("2 first of two config services died: MODULE:READY on the second " + failoverMillis
          + " ms later; " + prober.ok() + " requests served, 0 failed; child not restarted (pid " + pid + ")");
    }
  }

  @Test
  @Timeout(120)
  void s03BurstOfAHundredConfigsRestartsAtMostTwiceAndEndsOnTheLast() throws Exception {
    FakeConfigService service = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, service)) {
      s.start(Map.of());
      service.await(ClusterEvents.MODULE_READY, WAIT);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      Thread.sleep(2000);
      int before = s.project.events("started").size();

      long begin = System.nanoTime();
      for (int v = 1; v <= 100; v++) {
        service.pushConfig(Scenario.MODULE, "{\"v\":" + v + "}");
        Thread.sleep(Math.max(0, v * 10L - (System.nanoTime() - begin) / 1_000_000));
      }
      long burstMillis = (System.nanoTime() - begin) / 1_000_000;
      await().atMost(WAIT).until(() -> !s.project.events("listening").isEmpty()
          && lastConfig(s).path("v").asInt() == 100 && s.component("pythonProcess").equals("pass"));
      Thread.sleep(3000);

      int restarts = s.project.events("started").size() - before;
      // Restarts are at least configRestartInterval apart: one or two in the ~1 s burst, a third when the last
      // config reaches the supervisor late on a loaded machine; never one per config.
      assertThat(restarts).isBetween(1, 3);
      assertThat(lastConfig(s).path("v").asInt()).isEqualTo(100);
      Scenario.summary("3 burst of 100 CONFIG:SEND_CONFIG_CHANGED in " + burstMillis + " ms: " + restarts
          + " restart(s); the child runs the last config (v=100)");
    }
  }

  @Test
  @Timeout(120)
  void s04HostListsChangingFiftyTimesDuringARestartEndWithTheLast() throws Exception {
    FakeConfigService service = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, service)) {
      s.requireModule("auth");
      s.start(Map.of());
      service.await(ClusterEvents.MODULE_READY, WAIT);
      await().atMost(WAIT).until(() -> s.project.events("addresses").size() == 1);
      Thread.sleep(1600);

      service.pushConfig(Scenario.MODULE, "{\"v\":1}");
      for (int i = 1; i <= 50; i++) {
        service.pushAddresses("auth", "[{\"ip\":\"10.9.0." + i + "\",\"port\":\"9001\"}]");
        Thread.sleep(10);
      }
      await().atMost(WAIT).until(() -> {
        List<JsonNode> addresses = s.project.events("addresses");
        return addresses.get(addresses.size() - 1).get("hosts").toString().equals("[\"10.9.0.50:9001\"]");
      });
      Thread.sleep(1500);

      long finalPid = s.project.events("started").get(s.project.events("started").size() - 1).get("pid").asLong();
      List<JsonNode> finalChild = s.project.events("addresses", e -> e.get("pid").asLong() == finalPid);
      assertThat(finalChild).isNotEmpty();
      assertThat(finalChild.get(finalChild.size() - 1).get("hosts").toString()).isEqualTo("[\"10.9.0.50:9001\"]");
      assertThat(s.project.events("started")).hasSize(2);
      Scenario.summary("4 50 host lists pushed while the child restarted: the new child (pid " + finalPid + ") got "
          + finalChild.size() + " deliveries, the last one the 50th list");
    }
  }

  @Test
  @Timeout(120)
  void s05MalformedFramesInvalidJsonAHugeFrameAndUnknownEventsLeaveTheChildAlone() throws Exception {
    FakeConfigService service = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, service)) {
      LauncherProcess launcher = s.start(Map.of());
      service.await(ClusterEvents.MODULE_READY, WAIT);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      long pid = s.project.events("started").get(0).get("pid").asLong();
      ChildProber prober = s.probe();

      service.sendRaw("this is not an ETP frame");
      service.sendRaw(ClusterEvents.CONFIG_SEND_CONFIG_CHANGED + "||x||{}");
      service.sendRaw(ClusterEvents.CONFIG_SEND_CONFIG_CHANGED + "||0||{\"v\": not json");
      service.sendRaw("SOMETHING_NEW||0||{\"a\":1}");
      launcher.awaitLogContaining("unexpected event from config service", Duration.ofSeconds(10));
      assertThat(service.connects()).isEqualTo(1);
      service.sendRaw(ClusterEvents.CONFIG_SEND_CONFIG_CHANGED + "||0||{\"huge\":\"" + "x".repeat(5 * 1024 * 1024)
          + "\"}");
      await().atMost(Duration.ofSeconds(15)).until(() -> service.received(ClusterEvents.MODULE_READY).size() == 2);
      Thread.sleep(1000);
      prober.close();

      assertThat(launcher.logsContaining("malformed message from config service ignored")).hasSize(2);
      assertThat(launcher.logsContaining("remote config rejected")).hasSize(1);
      assertThat(launcher.logsContaining("exceeds the read limit of 4194304 bytes")).hasSize(1);
      assertThat(service.closeCodes()).containsAnyOf(1009, 1006);
      assertThat(prober.failed()).as("failed requests: %s", prober.errors()).isZero();
      assertThat(prober.pids()).containsExactly(pid);
      assertThat(s.project.events("started")).hasSize(1);
      Scenario.summary("5 malformed frames, invalid JSON, an unknown event: logged, session kept; a 5 MiB frame: "
          + "closed with 1009, reconnected; " + prober.ok() + " requests served, 0 failed, child untouched (pid "
          + pid + ")");
    }
  }

  @Test
  @Timeout(120)
  void s06SchemaInvalidConfigIsRejectedTheChildKeepsServingAndAValidOneRecovers() throws Exception {
    FakeConfigService service = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, service)) {
      s.project.write("conf/remote_config_schema.json", """
          {"type":"object","title":"Remote config","required":["v"],"properties":{"v":{"type":"integer"}}}""");
      s.start(Map.of());
      service.await(ClusterEvents.MODULE_READY, WAIT);
      await().atMost(WAIT).until(() -> s.status("/internal/health") == 200);
      long pid = s.project.events("started").get(0).get("pid").asLong();
      ChildProber prober = s.probe();

      service.pushConfig(Scenario.MODULE, "{\"v\":\"seven\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> s.component("remoteConfig").equals("fail"));
      String output = JsonNodes.readTree(s.get("/internal/health").body()).path("details").path("remoteConfig")
          .path(0).path("output").asString();
      Thread.sleep(1000);
      assertThat(prober.failed()).as("failed requests: %s", prober.errors()).isZero();
      assertThat(prober.pids()).containsExactly(pid);
      assertThat(s.project.events("started")).hasSize(1);
      assertThat(output).contains("/v: string found, integer expected");

      service.pushConfig(Scenario.MODULE, "{\"v\":7}");
      await().atMost(WAIT).until(() -> s.status("/internal/health") == 200 && lastConfig(s).path("v").asInt() == 7);
      prober.close();
      Scenario.summary("6 schema-invalid config while running: rejected (" + output + "), the child kept serving ("
          + prober.ok() + " requests before recovery), remoteConfig fail -> pass after a valid config");
    }
  }

  @Test
  @Timeout(150)
  void s07CrashLoopForAMinuteKeepsTheHostsThreadsFilesAndMemoryFlat() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"exitCode\":1}")) {
      LauncherProcess launcher = s.start(Map.of("CLUSTER_MODE", "offline", "python.restartDelay", "250ms",
          "python.restartDelayMax", "250ms"));
      await().atMost(WAIT).until(() -> s.project.events("started").size() >= 10);
      Thread.sleep(2000);
      ProcStatus early = ProcStatus.of(launcher.pid());
      int startsEarly = s.project.events("started").size();
      Thread.sleep(60_000);
      ProcStatus late = ProcStatus.of(launcher.pid());
      int starts = s.project.events("started").size() - startsEarly;

      // 250 ms back-off plus uv's and Python's start-up (0.2 s at rest, up to ~1 s on a loaded machine) a cycle.
      assertThat(starts).isGreaterThan(20);
      assertThat(late.threads()).isBetween(early.threads() - 2, early.threads() + 2);
      assertThat(late.fds()).isBetween(early.fds() - 2, early.fds() + 2);
      assertThat(late.rssKib() - early.rssKib()).isLessThan(12 * 1024);
      assertThat(launcher.alive()).isTrue();
      Scenario.summary("7 crash loop for 60 s (" + starts + " restarts): threads " + early.threads() + " -> "
          + late.threads() + ", fds " + early.fds() + " -> " + late.fds() + ", RSS " + early.rssMib() + " -> "
          + late.rssMib());
    }
  }

  @Test
  @Timeout(150)
  void s08ChildBindingAfterThirtySecondsGetsReadyAndItsAddressesAfterTheBind() throws Exception {
    FakeConfigService service = FakeConfigService.start();
    try (Scenario s = Scenario.cluster(dir, service)) {
      s.requireModule("auth");
      s.project.write("conf/default_remote_config.json", "{\"bindDelay\":30}");
      service.setAddresses("auth", "[{\"ip\":\"10.8.0.1\",\"port\":\"9001\"}]");
      s.start(Map.of());
      await().atMost(WAIT).until(() -> !s.project.events("started").isEmpty());
      Thread.sleep(5000);
      service.pushAddresses("auth", "[{\"ip\":\"10.8.0.2\",\"port\":\"9001\"}]");
      Thread.sleep(5000);
      service.pushAddresses("auth", "[{\"ip\":\"10.8.0.3\",\"port\":\"9001\"}]");
      assertThat(service.received(ClusterEvents.MODULE_READY)).isEmpty();

      Received ready = service.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30)).until(() -> !s.project.events("addresses").isEmpty());
      Thread.sleep(1000);

      JsonNode started = s.project.events("started").get(0);
      JsonNode listening = s.project.events("listening").get(0);
      long bindMillis = (listening.get("wallNs").asLong() - started.get("wallNs").asLong()) / 1_000_000;
      long readyAfterBind = ready.at().toEpochMilli() - listening.get("wallNs").asLong() / 1_000_000;
      List<JsonNode> addresses = s.project.events("addresses");
      assertThat(bindMillis).isGreaterThanOrEqualTo(29_900);
      // "listening" is stamped just after listen(): READY may be stamped first, by up to a descheduled moment.
      assertThat(readyAfterBind).isGreaterThanOrEqualTo(-100);
      assertThat(addresses.get(addresses.size() - 1).get("hosts").toString()).isEqualTo("[\"10.8.0.3:9001\"]");
      Scenario.summary("8 child bound after " + bindMillis + " ms: MODULE:READY " + readyAfterBind + " ms after the "
          + "bind; " + addresses.size() + " address deliveries after the bind, the last one the newest list");
    }
  }

  @Test
  @Timeout(120)
  void s09NothingSurvivesAStopNotEvenSigtermIgnoringGrandchildrenThatLeftTheGroup() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001",
        "{\"ignoreTerm\":true,\"grandchildren\":[\"ignore\",\"setsid\",\"daemon\"]}")) {
      LauncherProcess launcher = s.start(Map.of("CLUSTER_MODE", "offline"));
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 1);
      List<Long> pids = s.project.recordedPids();
      assertThat(ProcessChecks.aliveOf(pids)).hasSize(4);

      long stop = System.nanoTime();
      launcher.signal("TERM");
      int code = launcher.awaitExit(Duration.ofSeconds(20));
      long stopMillis = (System.nanoTime() - stop) / 1_000_000;

      assertThat(code).isZero();
      await().atMost(Duration.ofSeconds(3)).until(() -> ProcessChecks.aliveOf(pids).isEmpty());
      assertThat(stopMillis).isBetween(4_900L, 9_000L);
      Scenario.summary("9 child and grandchildren ignoring SIGTERM (one setsid, one double-forked daemon): host "
          + "exited 0 after " + stopMillis + " ms, 0 of " + pids.size() + " processes left");
    }
  }

  @Test
  @Timeout(120)
  void s10KilledHostRestartedReapsTheStaleGroupAndReusesThePort() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      LauncherProcess first = s.start(Map.of("CLUSTER_MODE", "offline"));
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 1);
      List<Long> stale = s.project.recordedPids();
      stale = new java.util.ArrayList<>(stale);
      stale.add(s.project.events("started").get(0).get("ppid").asLong());
      first.signal("KILL");
      first.awaitExit(Duration.ofSeconds(10));
      assertThat(ProcessChecks.aliveOf(stale)).hasSize(2);

      LauncherProcess second = s.start(Map.of("CLUSTER_MODE", "offline"));
      await().atMost(WAIT).until(() -> s.project.events("listening").size() == 2);

      assertThat(ProcessChecks.aliveOf(stale)).isEmpty();
      assertThat(second.logs().stream().map(l -> l.get("message").asString()).toList())
          .containsSubsequence("killed the python child a previous host left running", "python service started");
      assertThat(s.project.events("listening").get(1).get("pid").asLong()).isNotIn(stale);
      Scenario.summary("10 host killed with SIGKILL, restarted: the stale group (" + stale + ") was reaped before the "
          + "new child started, which bound the same port " + s.port);
    }
  }

  @Test
  @Timeout(120)
  void s11UvMissingThenInstalledWhileTheHostRuns() throws Exception {
    try (Scenario s = new Scenario(dir, "127.0.0.1:9001", "{\"v\":1}")) {
      Path bin = Files.createDirectories(dir.resolve("late-bin"));
      LauncherProcess launcher = s.start(Map.of("CLUSTER_MODE", "offline", "PATH", bin + ":/usr/bin:/bin"));
      await().atMost(Duration.ofSeconds(20)).until(() -> startFailures(s) >= 4);
      long counted = startFailures(s);
      Instant at = Instant.now();
      await().atMost(Duration.ofSeconds(20)).until(() -> startFailures(s) >= counted + 2);
      long spacing = Duration.between(at, Instant.now()).toMillis() / 2;
      List<JsonNode> lines = launcher.logsContaining("start");
      List<JsonNode> failures = launcher.logsContaining("start failed");

      Files.createSymbolicLink(bin.resolve("uv"), Uv.binary());
      Instant installed = Instant.now();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.project.events("listening").size() == 1);
      long startedAfter = s.project.events("started").get(0).get("wallNs").asLong() / 1_000_000
          - installed.toEpochMilli();

      assertThat(failures).as("the first failure in full, then quiet: %s", lines).hasSize(1);
      String first = failures.get(0).get("message").asString();
      assertThat(first).isEqualTo("start failed: Cannot start `uv run main.py` in " + s.project.root()
          + ": uv not found on PATH (" + bin + ":/usr/bin:/bin); install uv "
          + "(https://docs.astral.sh/uv/getting-started/installation/) or put it on PATH; retrying every 2000ms");
      assertThat(spacing).isBetween(1_500L, 3_000L);
      assertThat(startedAfter).as("the next retry (2 s) plus uv creating the venv").isLessThan(8_000L);
      assertThat(launcher.logsContaining("the python service could be started again after")).hasSize(1);
      Scenario.summary("11 uv missing: one \"" + first.substring(0, first.indexOf(':', 15)) + "…\" line, retried every "
          + spacing + " ms without a line each (" + counted + "+ attempts); after uv appeared on PATH the child "
          + "started " + startedAfter + " ms later");
    }
  }

  @Test
  @Timeout(150)
  void s21ANodeOfAConfigServiceClusterDiesAsLeaderThenAsFollowerAndTheModuleIsReadyOnAnotherWithinThreeSeconds()
      throws Exception {
    List<FakeConfigService> nodes = FakeConfigService.cluster(3);
    FakeConfigService a = nodes.get(0);
    FakeConfigService b = nodes.get(1);
    FakeConfigService c = nodes.get(2);
    // The module starts at a random node: the others refuse it until it is on the first.
    b.midElection();
    c.midElection();
    // The address of a module instance that reconnected, beside the row its dead node left behind.
    a.setAddresses("auth", "[{\"ip\":\"127.0.0.1\",\"port\":\"9110\"},{\"ip\":\"127.0.0.1\",\"port\":\"9110\"},"
        + "{\"ip\":\"127.0.0.1\",\"port\":\"9111\"}]");
    try (Scenario s = Scenario.cluster(dir, a, b, c)) {
      s.requireModule("auth");
      LauncherProcess launcher = s.start(Map.of());
      a.await(ClusterEvents.MODULE_READY, WAIT);
      await().atMost(WAIT).until(() -> s.component(CONNECTION).equals("pass")
          && s.component("pythonProcess").equals("pass") && !s.project.events("addresses").isEmpty());
      long pid = s.project.events("started").get(0).get("pid").asLong();
      ChildProber prober = s.probe();
      c.stopRefusing();
      Thread.sleep(1500);

      // The leader dies: the next node in the module's order is in the middle of the election, the third leads.
      Instant leaderDied = Instant.now();
      a.kill();
      Received onC = c.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(10));
      long leaderMillis = Duration.between(leaderDied, onC.at()).toMillis();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.component(CONNECTION).equals("pass"));
      FakeConfigService back = a.restart();
      s.track(back);
      b.stopRefusing();
      Thread.sleep(1500);

      // A follower dies (the one the module is on now): the next node serves at once.
      Instant followerDied = Instant.now();
      c.kill();
      Received onA = back.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(10));
      long followerMillis = Duration.between(followerDied, onA.at()).toMillis();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.component(CONNECTION).equals("pass"));
      Thread.sleep(500);
      prober.close();

      assertThat(prober.failed()).as("failed requests: %s", prober.errors()).isZero();
      assertThat(prober.pids()).containsExactly(pid);
      assertThat(s.project.events("started")).hasSize(1);
      assertThat(leaderMillis).as("past a node that refuses the module: no config timeout, no pause")
          .isLessThanOrEqualTo(3000);
      assertThat(followerMillis).isLessThanOrEqualTo(3000);
      String nodeA = a.address();
      String nodeB = b.address();
      String nodeC = c.address();
      List<String> story = launcher.logs(l -> l.path("logger").asString().contains(".cluster.")
          && !l.path("level").asString().equals("DEBUG")).stream()
          .map(l -> l.get("level").asString() + " " + l.get("message").asString()).toList();
      List<String> afterStart = story.subList(story.indexOf(story.stream().filter(l -> l.contains("module ready"))
          .findFirst().orElseThrow()) + 1, story.size());
      assertThat(afterStart).satisfiesExactly(
          line -> assertThat(line).startsWith("INFO config service session with " + nodeA + " ended (")
              .endsWith("); failing over to " + nodeB),
          line -> assertThat(line).isEqualTo("INFO config service " + nodeB + " refused MODULE:SEND_CONFIG_SCHEMA: "
              + FakeConfigService.MID_ELECTION_REFUSAL + "; trying " + nodeC + " next"),
          line -> assertThat(line).startsWith("INFO module ready again: config service session active on " + nodeC
              + ", ").endsWith(" after the session with " + nodeA + " ended; 1 failed attempt in between ("
              + nodeB + ": 1 refusal)"),
          line -> assertThat(line).startsWith("INFO config service session with " + nodeC + " ended (")
              .endsWith("); failing over to " + nodeA),
          line -> assertThat(line).startsWith("INFO module ready again: config service session active on " + nodeA
              + ", ").endsWith(" after the session with " + nodeC + " ended; no failed attempt in between"));
      List<JsonNode> deliveries = s.project.events("addresses");
      assertThat(deliveries).allSatisfy(d -> assertThat(d.get("hosts").toString())
          .isEqualTo("[\"127.0.0.1:9110\",\"127.0.0.1:9111\"]"));
      JsonNode supervisor = JsonNodes.readTree(s.get("/internal/supervisor").body());
      assertThat(supervisor.path("hosts").path("auth").toString()).isEqualTo("[\"127.0.0.1:9110\",\"127.0.0.1:9111\"]");
      Scenario.summary("21 config-service cluster of 3: the module's node died with the next one mid-election "
          + "(refusing the schema, no config): MODULE:READY on the third " + leaderMillis + " ms later; a node died "
          + "with the next one serving: MODULE:READY " + followerMillis + " ms later; " + prober.ok()
          + " requests served, 0 failed; child not restarted (pid " + pid + "); an address listed twice reached "
          + "the child once");
    }
  }

  /** Failed start attempts so far, as /internal/supervisor counts them. */
  private static long startFailures(Scenario s) {
    try {
      return JsonNodes.readTree(s.get("/internal/supervisor").body()).path("restarts").path("start_failed").asLong();
    } catch (Exception e) {
      return 0;
    }
  }

  private static JsonNode lastConfig(Scenario s) {
    List<JsonNode> started = s.project.events("started");
    return started.isEmpty() ? JsonNodes.readTree("{}") : started.get(started.size() - 1).get("config");
  }

  static {
    try {
      Files.deleteIfExists(Path.of("target/fault-summary.txt"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
