package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.ProcessChecks;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The supervisor with real uv, real Python children, real signals and real sockets. Where a test is about the
 * supervisor's own timing (the restart delay, the start retry, the stop timeout), its timers run on a
 * {@link FakeScheduler} the test moves: the processes are real, the waits are not.
 */
@RealProcessTest
class PySupervisorProcessTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  private PythonProject project;
  private int port;
  private PySupervisor supervisor;
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final AtomicInteger configsUnchanged = new AtomicInteger();
  private final FakeScheduler time = new FakeScheduler();

  @BeforeEach
  void setUp() {
    project = PythonProject.in(dir.resolve("project"));
    port = FreePort.find();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (supervisor != null) {
      supervisor.stopAsync().get(20, TimeUnit.SECONDS);
    }
    List<Long> pids = new ArrayList<>();
    for (JsonNode started : project.events("started")) {
      pids.add(started.get("pid").asLong());
      started.path("children").forEach(child -> pids.add(child.asLong()));
    }
    assertThat(ProcessChecks.aliveOf(pids)).as("processes left behind").isEmpty();
  }

  @Test
  void childGetsBindingAddressAndAPrivateConfigFileAndLeadsItsOwnProcessGroup() {
    supervisor = supervisor(SupervisorSettings.DEFAULTS, project.environment());

    supervisor.configReceived(json("{\"greeting\":\"hi\"}"));

    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.RUNNING);
    JsonNode started = project.events("started").get(0);
    Path configFile = dir.resolve("run/config.json").toAbsolutePath();
    assertThat(started.get("binding").asString()).isEqualTo("127.0.0.1:" + port);
    assertThat(started.get("configFile").asString()).isEqualTo(configFile.toString());
    assertThat(started.get("configMode").asString()).isEqualTo("0o600");
    assertThat(started.get("config")).isEqualTo(json("{\"greeting\":\"hi\"}"));
    assertThat(started.get("cwd").asString()).isEqualTo(realPath(project.root()));
    assertThat(started.get("unbuffered").asString()).isEqualTo("1");
    long uvPid = supervisor.snapshot().pid();
    assertThat(supervisor.snapshot().pgid()).isEqualTo(uvPid);
    assertThat(started.get("pid").asLong()).as("python is a child of uv").isNotEqualTo(uvPid);
    assertThat(started.get("ppid").asLong()).isEqualTo(uvPid);
    assertThat(started.get("pgid").asLong()).as("python is in uv's group").isEqualTo(uvPid);
    assertThat(started.get("sid").asLong()).as("the group has a session of its own").isEqualTo(uvPid);
    assertThat(ProcessHandle.current().pid()).isNotEqualTo(uvPid);
  }

  @Test
  void changedConfigRestartsTheChildWithANewPidAndAnEqualConfigDoesNot() throws Exception {
    supervisor = supervisor(SupervisorSettings.DEFAULTS.withConfigRestartInterval(Duration.ZERO),
        project.environment());
    supervisor.configReceived(json("{\"a\":1,\"b\":[1,2]}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("listening").size() == 1);
    long firstPid = project.events("started").get(0).get("pid").asLong();

    supervisor.configReceived(json("{\"b\": [1, 2], \"a\": 1}")); // the same to its reader: keys in another order
    await().atMost(Duration.ofSeconds(5)).until(() -> configsUnchanged.get() == 1);
    assertThat(project.events("started")).hasSize(1);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);

    supervisor.configReceived(json("{\"a\":2}"));

    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("listening").size() == 2);
    JsonNode second = project.events("started").get(1);
    assertThat(second.get("pid").asLong()).isNotEqualTo(firstPid);
    assertThat(second.get("config")).isEqualTo(json("{\"a\":2}"));
    assertThat(project.events("sigterm")).extracting(e -> e.get("pid").asLong()).containsExactly(firstPid);
    assertThat(ProcessChecks.alive(firstPid)).isFalse();
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.CONFIG_CHANGED, 1L);
  }

  @Test
  void childThatExitsIsStartedAgainAfterTheRestartDelay() {
    supervisor = supervisor(SupervisorSettings.DEFAULTS, project.environment(), time);

    supervisor.configReceived(json("{\"exitCode\":3}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.BACKOFF);
    assertThat(supervisor.snapshot().lastExit().status().code()).isEqualTo(3);
    assertThat(supervisor.snapshot().backoff().delay()).isEqualTo(Duration.ofSeconds(2));
    time.advance(Duration.ofMillis(1999));
    assertThat(time.pending()).as("the restart, still to come").isEqualTo(1);
    time.advance(Duration.ofMillis(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("started").size() >= 2);
    assertThat(supervisor.snapshot().restarts().get(RestartCause.EXITED)).isGreaterThanOrEqualTo(1L);
  }

  @Test
  void missingUvIsReportedClearlyAndRetriedEveryTwoSeconds() {
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("PATH", "/nonexistent");
    supervisor = supervisor(SupervisorSettings.DEFAULTS, environment, time);

    supervisor.configReceived(json("{}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> failures.size() == 1);
    time.advance(Duration.ofMillis(1999));
    assertThat(time.pending()).as("the retry, still to come").isEqualTo(1);
    time.advance(Duration.ofMillis(1));

    await().atMost(Duration.ofSeconds(10)).until(() -> failures.size() == 2);
    assertThat(failures.get(0)).isEqualTo("Cannot start `uv run main.py` in " + project.root()
        + ": uv not found on PATH (/nonexistent); install uv (https://docs.astral.sh/uv/getting-started/installation/) "
        + "or put it on PATH");
    assertThat(failures.get(1)).isEqualTo(failures.get(0));
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.BACKOFF);
    assertThat(supervisor.snapshot().lastError().message()).isEqualTo(failures.get(0));
  }

  @Test
  void missingEntryFileIsReportedClearlyAndTheChildStartsOnceItAppears() throws Exception {
    Files.move(project.root().resolve("main.py"), dir.resolve("main.py.away"));
    supervisor = supervisor(SupervisorSettings.DEFAULTS, project.environment());

    supervisor.configReceived(json("{}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !failures.isEmpty());
    assertThat(failures.get(0)).isEqualTo("Cannot start `uv run main.py` in " + project.root()
        + ": the entry file main.py does not exist");

    Files.move(dir.resolve("main.py.away"), project.root().resolve("main.py"));
    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.RUNNING);
  }

  @Test
  void childAndGrandchildrenIgnoringSigtermAreAllGoneOnceTheStopTimeoutSendsSigkill() throws Exception {
    supervisor = supervisor(SupervisorSettings.DEFAULTS, project.environment(), time);
    supervisor.configReceived(json("{\"ignoreTerm\":true,\"grandchildren\":[\"ignore\",\"setsid\",\"daemon\"]}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.RUNNING);
    JsonNode started = project.events("started").get(0);
    List<Long> pids = new ArrayList<>(List.of(supervisor.snapshot().pid(), started.get("pid").asLong()));
    started.get("children").forEach(child -> pids.add(child.asLong()));
    assertThat(pids).hasSize(5);
    assertThat(ProcessChecks.aliveOf(pids)).containsExactlyElementsOf(pids);

    CompletableFuture<Void> stopped = supervisor.stopAsync();
    await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.snapshot().state() == SupervisorState.STOPPING);
    time.advance(Duration.ofMillis(4999));
    // Every process ignores its SIGTERM: nothing but the SIGKILL due at 5 s ends the stop.
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !stopped.isDone());
    assertThat(ProcessChecks.aliveOf(pids)).containsExactlyElementsOf(pids);
    time.advance(Duration.ofMillis(1));

    stopped.get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(2)).until(() -> ProcessChecks.aliveOf(pids).isEmpty());
    supervisor = null;
  }

  @Test
  void escapedGrandchildrenIgnoringSigtermAreKilledOnceAChildThatHandlesItHasExited() throws Exception {
    supervisor = supervisor(SupervisorSettings.DEFAULTS, project.environment(), time);
    supervisor.configReceived(json("{\"grandchildren\":[\"setsid\",\"daemon\"]}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.RUNNING);
    List<Long> escaped = new ArrayList<>();
    project.events("started").get(0).get("children").forEach(child -> escaped.add(child.asLong()));
    assertThat(ProcessChecks.aliveOf(escaped)).containsExactlyElementsOf(escaped);

    // The supervisor's time stands still: no SIGKILL can come, the stop ends only if the child exits on its SIGTERM.
    supervisor.stopAsync().get(20, TimeUnit.SECONDS);

    // SIGKILLed by the sweep before the supervisor stopped (a moment for the kernel to end them)
    await().atMost(Duration.ofMillis(500)).until(() -> ProcessChecks.aliveOf(escaped).isEmpty());
    supervisor = null;
  }

  @Test
  void aProcessTheChildStartsInANewSessionWhileStoppingIsKilledToo() throws Exception {
    supervisor = supervisor(SupervisorSettings.DEFAULTS, project.environment());
    // 300 ms after its SIGTERM: after the host's search of /proc at the SIGTERM, well before the SIGKILL (5 s)
    supervisor.configReceived(json("{\"escapeOnTerm\":0.3}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.RUNNING);

    supervisor.stopAsync().get(20, TimeUnit.SECONDS);

    List<JsonNode> escapes = project.events("escaped");
    assertThat(escapes).hasSize(1);
    long escapedPid = escapes.get(0).get("escapedPid").asLong();
    // SIGKILLed by the sweep before the supervisor stopped (a moment for the kernel to end it)
    await().atMost(Duration.ofMillis(500)).until(() -> ProcessChecks.aliveOf(List.of(escapedPid)).isEmpty());
    supervisor = null;
  }

  @Test
  void addressesReachTheChildAreRedeliveredAfterARestartAndReachAChildThatListensLate() {
    supervisor = supervisor(SupervisorSettings.DEFAULTS.withConfigRestartInterval(Duration.ZERO),
        project.environment());
    supervisor.hostsReceived("auth", List.of("10.0.0.1:9001", "10.0.0.2:9001"));
    supervisor.configReceived(json("{\"v\":1}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("addresses").size() == 1);
    JsonNode first = project.events("addresses").get(0);
    assertThat(first.get("module").asString()).isEqualTo("auth");
    assertThat(first.get("hosts")).isEqualTo(json("[\"10.0.0.1:9001\",\"10.0.0.2:9001\"]"));
    assertThat(first.get("contentType").asString()).isEqualTo("application/json");

    supervisor.hostsReceived("auth", List.of("10.0.0.3:9001"));
    supervisor.hostsReceived("files", List.of());
    await().atMost(Duration.ofSeconds(5)).until(() -> project.events("addresses").size() == 3);

    supervisor.configReceived(json("{\"v\":2,\"bindDelay\":10}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("started").size() == 2);
    long secondPid = project.events("started").get(1).get("pid").asLong();
    await().atMost(Duration.ofSeconds(25))
        .until(() -> project.events("addresses", e -> e.get("pid").asLong() == secondPid).size() == 2);
    List<JsonNode> redelivered = project.events("addresses", e -> e.get("pid").asLong() == secondPid);
    long listenedAt = project.events("listening").get(1).get("monotonicNs").asLong();
    long startedAt = project.events("started").get(1).get("monotonicNs").asLong();
    assertThat((listenedAt - startedAt) / 1_000_000).isGreaterThanOrEqualTo(9_900L);
    assertThat(redelivered).extracting(e -> e.get("module").asString() + "=" + e.get("hosts"))
        .containsExactlyInAnyOrder("auth=[\"10.0.0.3:9001\"]", "files=[]");
  }

  @Test
  void stopDuringTheRestartDelayStopsAtOnce() throws Exception {
    supervisor = supervisor(SupervisorSettings.DEFAULTS.withRestartDelay(Duration.ofSeconds(30)),
        project.environment(), time);
    supervisor.configReceived(json("{\"exitCode\":1}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.snapshot().state() == SupervisorState.BACKOFF
        && supervisor.snapshot().lastExit() != null);

    supervisor.stopAsync().get(5, TimeUnit.SECONDS); // the supervisor's time stands still: not after the delay

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);
    assertThat(project.events("started")).hasSize(1);
  }

  private PySupervisor supervisor(SupervisorSettings settings, Map<String, String> environment) {
    return started(builder(settings, environment).build());
  }

  /** With the supervisor's timers on {@code time} (the readiness probe keeps real time). */
  private PySupervisor supervisor(SupervisorSettings settings, Map<String, String> environment, FakeScheduler time) {
    return started(builder(settings, environment).scheduler(time).build());
  }

  private PySupervisorBuilder builder(SupervisorSettings settings, Map<String, String> environment) {
    return PySupervisor.builder()
        .settings(settings)
        .bindingAddress(new BindingAddress("127.0.0.1", port))
        .configFile(dir.resolve("run/config.json"))
        .command(new LaunchSpec("uv", List.of(), "main.py", project.root(), environment))
        .listener(new SupervisorListener() {
          @Override
          public void startFailed(String message) {
            failures.add(message);
          }

          @Override
          public void configUnchanged() {
            configsUnchanged.incrementAndGet();
          }
        });
  }

  private static String realPath(Path path) {
    try {
      return path.toRealPath().toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  private static PySupervisor started(PySupervisor supervisor) {
    supervisor.start();
    return supervisor;
  }
}
