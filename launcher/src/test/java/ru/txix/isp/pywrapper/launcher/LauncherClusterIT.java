package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FakeConfigService.Received;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The launcher jar in cluster mode against the config-service double, with a real uv/Python child. */
@RealProcessTest
class LauncherClusterIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String MODULE = "cluster-module";

  @TempDir
  Path dir;

  private final FakeConfigService service = FakeConfigService.start();
  private PythonProject project;
  private int port;
  private LauncherProcess launcher;

  @BeforeEach
  void setUp() {
    port = FreePort.find();
    project = PythonProject.in(dir).withConf(MODULE, port, service.address(), "{}");
    project.write("conf/default_remote_config.json", "{\"greeting\":\"hello\",\"logLevel\":\"info\"}");
    project.write("conf/module.yml", """
        version: 2.0.1
        requiredModules: [auth]
        endpoints:
          - path: /api/cluster-module/do
            httpMethod: post
            extra: { reqAdminPerm: do_things }
        """);
    project.write("conf/remote_config_schema.json", """
        {"type":"object","title":"Remote config","required":["greeting"],
         "properties":{"greeting":{"type":"string","minLength":1},
                       "logLevel":{"type":"string","enum":["debug","info","warn","error","fatal"]}}}""");
    service.setAddresses("auth", "[{\"ip\":\"10.0.0.1\",\"port\":\"9001\"}]");
  }

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.close();
    }
    project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    service.close();
  }

  @Test
  void registersLikeAnIspKitModuleAndIsReadyOnlyOnceTheChildListens() {
    launcher = start(Map.of());

    Received ready = service.await(ClusterEvents.MODULE_READY, WAIT);

    JsonNode schemaEvent = service.received(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA).get(0).json();
    assertThat(schemaEvent.get("version").asString()).isEqualTo("2.0.1");
    assertThat(schemaEvent.get("schema").get("required")).isEqualTo(JSON.readTree("[\"greeting\"]"));
    assertThat(schemaEvent.get("config")).isEqualTo(JSON.readTree("{\"greeting\":\"hello\",\"logLevel\":\"info\"}"));
    assertThat(ready.json().get("moduleName").asString()).isEqualTo(MODULE);
    assertThat(ready.json().get("version").asString()).isEqualTo("2.0.1");
    assertThat(ready.json().get("transport").asString()).isEqualTo("http");
    assertThat(ready.json().get("libVersion").asString()).as("the kit's release version, as Go modules show theirs")
        .isEqualTo("v" + ru.txix.isp.pywrapper.PythonWrapper.version()).matches("v\\d+\\.\\d+\\.\\d+");
    assertThat(ready.json().get("endpoints")).isEqualTo(JSON.readTree("""
        [{"path":"/api/cluster-module/do","inner":false,"userAuthRequired":false,"httpMethod":"POST",
          "extra":{"reqAdminPerm":"do_things"}}]"""));
    assertThat(ready.json().get("address")).isEqualTo(JSON.readTree(
        "{\"ip\":\"127.0.0.1\",\"port\":\"" + port + "\"}"));
    long listenedAt = project.events("listening").get(0).get("wallNs").asLong();
    // The fixture stamps "listening" just after its listen(): the host may connect and send READY before the
    // stamp is taken; without the wait for the child READY would come ~uv's start-up (hundreds of ms) earlier.
    assertThat(ready.at().toEpochMilli() * 1_000_000).isGreaterThanOrEqualTo(listenedAt - 100_000_000);
    assertThat(project.events("started").get(0).get("config"))
        .isEqualTo(JSON.readTree("{\"greeting\":\"hello\",\"logLevel\":\"info\"}"));
    await().atMost(WAIT).until(() -> project.events("addresses").size() == 1);
    assertThat(project.events("addresses").get(0).get("hosts")).isEqualTo(JSON.readTree("[\"10.0.0.1:9001\"]"));
  }

  @Test
  void changedConfigRestartsTheChildAndTheSameConfigAfterAReconnectDoesNot() throws Exception {
    launcher = start(Map.of());
    service.await(ClusterEvents.MODULE_READY, WAIT);
    Thread.sleep(1600); // beyond the interval in which config changes collapse into one restart

    service.pushConfig(MODULE, "{\"greeting\":\"bonjour\"}");
    await().atMost(WAIT).until(() -> project.events("listening").size() == 2);
    assertThat(project.events("started").get(1).get("config")).isEqualTo(JSON.readTree("{\"greeting\":\"bonjour\"}"));

    service.dropAll();
    await().atMost(WAIT).until(() -> service.received(ClusterEvents.MODULE_READY).size() == 2);
    Thread.sleep(1000);
    assertThat(project.events("started")).hasSize(2);
    assertThat(launcher.logsContaining("config unchanged: the python process is not restarted")).isNotEmpty();
  }

  @Test
  void hostListsReachTheChildInOrderAndTheLastOneWins() {
    launcher = start(Map.of());
    service.await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(() -> project.events("addresses").size() == 1);

    for (int i = 1; i <= 20; i++) {
      service.pushAddresses("auth", "[{\"ip\":\"10.0.1." + i + "\",\"port\":\"9001\"}]");
    }

    await().atMost(WAIT).until(() -> last(project.events("addresses")).get("hosts").toString()
        .equals("[\"10.0.1.20:9001\"]"));
    List<Integer> seen = new ArrayList<>();
    project.events("addresses").stream().skip(1).forEach(e -> seen.add(
        Integer.parseInt(e.get("hosts").get(0).asString().replace("10.0.1.", "").replace(":9001", ""))));
    assertThat(seen).isSorted();
  }

  @Test
  void invalidFirstConfigStartsNothingUntilACorrectedOneArrives() throws Exception {
    service.setActiveConfig(MODULE, "{\"greeting\":\"\"}");
    launcher = start(Map.of());
    launcher.awaitLogContaining("remote config rejected", WAIT);
    Thread.sleep(1500);
    assertThat(project.events()).isEmpty();
    assertThat(service.received(ClusterEvents.MODULE_READY)).isEmpty();
    assertThat(launcher.logsContaining("remote config rejected").get(0).get("message").asString())
        .contains("/greeting").contains("no valid config yet");

    service.pushConfig(MODULE, "{\"greeting\":\"fixed\"}");

    service.await(ClusterEvents.MODULE_READY, WAIT);
    assertThat(project.events("started").get(0).get("config")).isEqualTo(JSON.readTree("{\"greeting\":\"fixed\"}"));
    assertThat(service.connects()).isEqualTo(1);
  }

  @Test
  void invalidConfigWhileRunningLeavesTheChildOnItsPreviousConfig() throws Exception {
    launcher = start(Map.of());
    service.await(ClusterEvents.MODULE_READY, WAIT);

    service.pushConfig(MODULE, "{\"greeting\":42,\"logLevel\":\"loud\"}");

    JsonNode error = launcher.awaitLogContaining("remote config rejected", WAIT);
    assertThat(error.get("message").asString()).contains("logLevel").contains("/greeting")
        .endsWith("; the python service keeps running on its previous config");
    Thread.sleep(1000);
    assertThat(project.events("started")).hasSize(1);
    assertThat(launcher.alive()).isTrue();
  }

  @Test
  void overrideIsMergedIntoWhatTheChildGetsAndLogLevelFollowsTheConfig() {
    launcher = start(Map.of("remoteConfigOverride", "{\"database\":{\"host\":\"override-host\"}}"));
    service.await(ClusterEvents.MODULE_READY, WAIT);
    assertThat(project.events("started").get(0).get("config")).isEqualTo(JSON.readTree(
        "{\"greeting\":\"hello\",\"logLevel\":\"info\",\"database\":{\"host\":\"override-host\"}}"));
    assertThat(launcher.logs(l -> l.get("level").asString().equals("DEBUG"))).isEmpty();

    service.pushConfig(MODULE, "{\"greeting\":\"hello\",\"logLevel\":\"debug\"}");

    await().atMost(WAIT).until(() -> !launcher.logs(l -> l.get("level").asString().equals("DEBUG")).isEmpty());
  }

  @Test
  void sigtermEndsTheHostWithinMomentsOfTheChildsExitWithTheSessionOpen() throws Exception {
    launcher = start(Map.of());
    service.await(ClusterEvents.MODULE_READY, WAIT);
    Thread.sleep(500);

    launcher.signal("TERM");
    int code = launcher.awaitExit(WAIT);
    long exitedAt = java.time.Instant.now().toEpochMilli();

    assertThat(code).isEqualTo(0);
    long childTermAt = project.events("sigterm").get(0).get("wallNs").asLong() / 1_000_000;
    // Tens of ms at rest, ~150 on a loaded 2-core machine; a host that waited for a timeout (the session's
    // socket, the child's SIGKILL deadline) would take seconds.
    assertThat(exitedAt - childTermAt).as("ms from the child's SIGTERM to the host's exit").isLessThan(1_000);
  }

  private LauncherProcess start(Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.putAll(extra);
    return LauncherProcess.start(LauncherOfflineIT.JAR, project.root(), environment, List.of());
  }

  private static JsonNode last(List<JsonNode> events) {
    return events.isEmpty() ? JSON.readTree("{\"hosts\":[]}") : events.get(events.size() - 1);
  }
}
