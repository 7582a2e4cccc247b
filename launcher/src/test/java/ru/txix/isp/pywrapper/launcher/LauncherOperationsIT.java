package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.ProcessChecks;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Health, metrics, the supervisor endpoint, shutdown and orphans, with the launcher jar and a real child. */
@RealProcessTest
class LauncherOperationsIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<LauncherProcess> launchers = new java.util.ArrayList<>();
  private PythonProject project;
  private FakeConfigService service;

  @AfterEach
  void tearDown() {
    launchers.forEach(LauncherProcess::close);
    if (project != null) {
      project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
    if (service != null) {
      service.close();
    }
  }

  @Test
  void healthMetricsAndSupervisorStateFollowACrashAndARecovery() throws Exception {
    project = PythonProject.in(dir).withConf("ops", FreePort.find(), "127.0.0.1:9001", "{\"exitCode\":3}");
    start(Map.of("CLUSTER_MODE", "offline", "python.restartDelay", "1s"));
    await().atMost(WAIT).until(() -> project.events("started").size() >= 2);

    HttpResponse<String> sick = get("/internal/health");
    assertThat(sick.statusCode()).isEqualTo(500);
    assertThat(sick.headers().firstValue("Content-Type")).hasValue("application/health+json");
    JsonNode details = JSON.readTree(sick.body()).get("details");
    assertThat(details.propertyNames()).containsExactlyInAnyOrder("remoteConfig", "pythonProcess");
    assertThat(details.get("remoteConfig").get(0).get("status").asString()).isEqualTo("pass");
    assertThat(details.get("pythonProcess").get(0).get("status").asString()).isEqualTo("fail");
    assertThat(details.get("pythonProcess").get(0).get("output").asString())
        .matches("(backoff: restarting in 2s after exit code 3.*|starting: started, waiting .*)");
    String metrics = get("/internal/metrics").body();
    assertThat(metric(metrics, "python_process_restarts_total{cause=\"exited\"}")).isGreaterThanOrEqualTo(1);
    assertThat(metric(metrics, "python_process_last_exit_code")).isEqualTo(3);
    assertThat(metric(metrics, "python_process_up")).isZero();
    assertThat(metric(metrics, "remote_config_applied_total{result=\"accepted\"}")).isEqualTo(1);
    assertThat(metrics).contains("jvm_memory_used_bytes").contains("process_cpu_seconds_total");

    replaceConfig("{\"healthy\":true}");
    await().atMost(WAIT).until(() -> status("/internal/health") == 200);
    String healthy = get("/internal/metrics").body();
    assertThat(metric(healthy, "python_process_up")).isEqualTo(1);
    assertThat(metric(healthy, "python_process_starts_total")).isGreaterThanOrEqualTo(3);
    assertThat(metric(healthy, "python_process_start_time_seconds")).isGreaterThan(1.7e9);
    JsonNode supervisor = JSON.readTree(get("/internal/supervisor").body());
    assertThat(supervisor.get("state").asString()).isEqualTo("RUNNING");
    assertThat(supervisor.get("lastExit").get("code").asInt()).isEqualTo(3);
    assertThat(supervisor.get("pid").asLong()).isEqualTo(last(project.events("started")).get("ppid").asLong());
    assertThat(supervisor.get("configService").get("mode").asString()).isEqualTo("offline");
  }

  @Test
  void rejectedConfigFailsRemoteConfigHealthUntilAValidOneArrives() throws Exception {
    project = PythonProject.in(dir).withConf("ops", FreePort.find(), "127.0.0.1:9001", "{\"v\":1}");
    start(Map.of("CLUSTER_MODE", "offline"));
    await().atMost(WAIT).until(() -> status("/internal/health") == 200);

    replaceConfig("{\"logLevel\":\"loud\"}");
    await().atMost(WAIT).until(() -> status("/internal/health") == 500);
    JsonNode remote = JSON.readTree(get("/internal/health").body()).get("details").get("remoteConfig").get(0);
    assertThat(remote.get("output").asString())
        .isEqualTo("invalid config: logLevel: must be one of debug, info, warn, error, fatal, got \"loud\"");
    assertThat(metric(get("/internal/metrics").body(), "remote_config_applied_total{result=\"rejected\"}"))
        .isEqualTo(1);

    replaceConfig("{\"v\":2}");
    await().atMost(WAIT).until(() -> status("/internal/health") == 200);
  }

  @Test
  void clusterShutdownClosesTheSessionNormallyThenStopsTheChildThenExitsZero() throws Exception {
    service = FakeConfigService.start();
    project = PythonProject.in(dir).withConf("ops", FreePort.find(), service.address(), "{}");
    project.write("conf/default_remote_config.json", "{\"v\":1}");
    LauncherProcess launcher = start(Map.of());
    service.await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(() -> status("/internal/health") == 200);
    JsonNode health = JSON.readTree(get("/internal/health").body());
    assertThat(health.get("details").propertyNames())
        .containsExactlyInAnyOrder("configServiceConnection", "remoteConfig", "pythonProcess");
    assertThat(metric(get("/internal/metrics").body(), "config_service_session_up")).isEqualTo(1);

    launcher.signal("TERM");

    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isZero();
    long childStopped = project.events("sigterm").get(0).get("wallNs").asLong();
    await().atMost(WAIT).until(() -> service.closeCodes().contains(1000));
    long sessionClosed = service.closeTimes().get(service.closeCodes().indexOf(1000)).toEpochMilli() * 1_000_000;
    assertThat(sessionClosed).as("the module leaves the platform before its child stops (isp-kit's closer order)")
        .isLessThan(childStopped);
    List<String> messages = launcher.logs().stream().map(l -> l.get("message").asString()).toList();
    assertThat(messages).containsSubsequence("starting shutdown", "config service session stopped",
        "stopping the python service: sending SIGTERM", "python service exited with exit code 0",
        "shutdown completed");
  }

  @Test
  void secondSignalKillsTheGroupAtOnceAndExitsOne() {
    project = PythonProject.in(dir).withConf("ops", FreePort.find(), "127.0.0.1:9001",
        "{\"ignoreTerm\":true,\"grandchildren\":[\"ignore\"]}");
    LauncherProcess launcher = start(Map.of("CLUSTER_MODE", "offline"));
    await().atMost(WAIT).until(() -> project.events("listening").size() == 1);
    List<Long> pids = project.recordedPids();

    launcher.signal("TERM");
    launcher.awaitLogContaining("stopping the python service: sending SIGTERM", WAIT);
    long second = System.nanoTime();
    launcher.signal("INT");

    assertThat(launcher.awaitExit(Duration.ofSeconds(10))).isEqualTo(1);
    assertThat((System.nanoTime() - second) / 1_000_000).isLessThan(3000);
    await().atMost(Duration.ofSeconds(3)).until(() -> ProcessChecks.aliveOf(pids).isEmpty());
    assertThat(launcher.logsContaining("second signal during shutdown")).isNotEmpty();
  }

  @Test
  void restartedHostReapsTheChildAKilledHostLeftBehindBeforeStartingItsOwn() throws Exception {
    int port = FreePort.find();
    project = PythonProject.in(dir).withConf("ops", port, "127.0.0.1:9001", "{\"v\":1}");
    LauncherProcess first = start(Map.of("CLUSTER_MODE", "offline"));
    await().atMost(WAIT).until(() -> project.events("listening").size() == 1);
    long orphan = project.events("started").get(0).get("pid").asLong();
    long orphanUv = project.events("started").get(0).get("ppid").asLong();

    first.signal("KILL");
    first.awaitExit(Duration.ofSeconds(10));
    Thread.sleep(300);
    assertThat(ProcessChecks.alive(orphan)).as("the child outlives a SIGKILLed host").isTrue();

    LauncherProcess second = start(Map.of("CLUSTER_MODE", "offline"));
    await().atMost(WAIT).until(() -> project.events("listening").size() == 2);

    assertThat(ProcessChecks.alive(orphan)).isFalse();
    assertThat(ProcessChecks.alive(orphanUv)).isFalse();
    assertThat(project.events("started").get(1).get("pid").asLong()).isNotEqualTo(orphan);
    JsonNode reaped = second.awaitLogContaining("killed the python child a previous host left running", WAIT);
    assertThat(reaped.get("pid").asLong()).isEqualTo(orphanUv);
    assertThat(second.logs().stream().map(l -> l.get("message").asString()).toList())
        .containsSubsequence("killed the python child a previous host left running", "python service started");
  }

  private LauncherProcess start(Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.putAll(extra);
    LauncherProcess launcher = LauncherProcess.start(LauncherOfflineIT.JAR, project.root(), environment, List.of());
    launchers.add(launcher);
    return launcher;
  }

  /** The status of GET {@code path}, or -1 while the server does not answer. */
  private int status(String path) {
    try {
      return get(path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + project.infraPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void replaceConfig(String content) throws Exception {
    Path temp = project.root().resolve("conf/config.json.tmp");
    Files.writeString(temp, content);
    Files.move(temp, project.root().resolve("conf/config.json"), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The value of the sample named exactly {@code sample} (name with labels) in a Prometheus text body. */
  private static double metric(String body, String sample) {
    return body.lines().filter(line -> line.startsWith(sample + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(sample.length() + 1).strip()))
        .orElseThrow(() -> new AssertionError("no sample " + sample + " in:\n" + body));
  }

  private static JsonNode last(List<JsonNode> events) {
    return events.get(events.size() - 1);
  }
}
