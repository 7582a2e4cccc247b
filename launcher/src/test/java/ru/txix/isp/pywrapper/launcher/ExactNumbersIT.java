package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
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
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A config is someone else's data: every number reaches {@code CONFIG_FILE} with its value intact — 35-digit
 * decimals, integers beyond 2^64, {@code 1e400}, {@code -0.0}, {@code 0.1}, nested in objects and arrays, with an
 * override touching a sibling key — and the default config and the schema reach the config service the same way.
 * And to the character: {@code -0.0}, {@code 5e0}, {@code 2.50} reach the child (and the config service, from
 * {@code conf/module.yml}) as they were written, and a number written differently is a change.
 */
@RealProcessTest
class ExactNumbersIT {
  /** Reads every number as BigDecimal/BigInteger, keeping trailing zeros: the reference reader. */
  static final JsonMapper EXACT = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();
  static final String CONFIG = """
      {"pi":3.14159265358979323846264338327950288,"huge":123456789012345678901234567890.5,
       "beyond64":123456789012345678901234567890,"negative":-98765432109876543210987654321,
       "inf":1e400,"negativeZero":-0.0,"tenth":0.1,"tiny":1e-7,
       "nested":{"list":[1.000000000000000000000000000000001,{"deep":-12345678901234567890123.45e-3}],
                 "sibling":"from the service"}}""";
  static final String OVERRIDE = "{\"nested\":{\"sibling\":\"overridden\"}}";
  /** Numbers whose text is not their value's plain form, compact: the child's file must hold exactly this. */
  static final String FORMS = "{\"negativeZero\":-0.0,\"forms\":[5e0,1E0,2.5e1,12.5E+1],\"price\":2.50,"
      + "\"minusZero\":-0,\"tiny\":1e-7,\"huge\":1e400}";

  @TempDir
  Path dir;

  private FakeConfigService service;
  private LauncherProcess launcher;
  private PythonProject project;

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.close();
    }
    if (service != null) {
      service.close();
    }
    if (project != null) {
      project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void offlineEveryDigitOfTheFileReachesTheChildWithAndWithoutAnOverride() throws Exception {
    project = PythonProject.in(dir).withConf("exact", FreePort.find(), "127.0.0.1:9001", CONFIG);
    launcher = start(Map.of("CLUSTER_MODE", "offline"));
    await().atMost(Duration.ofSeconds(60)).until(() -> project.events("listening").size() == 1);
    assertSameValues(project.events("started").get(0).get("configText").asString(), CONFIG);
    launcher.signal("TERM");
    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isZero();

    launcher = start(Map.of("CLUSTER_MODE", "offline", "remoteConfigOverride", OVERRIDE));
    await().atMost(Duration.ofSeconds(60)).until(() -> project.events("listening").size() == 2);
    assertSameValues(project.events("started").get(1).get("configText").asString(),
        CONFIG.replace("\"from the service\"", "\"overridden\""));
  }

  @Test
  void clusterTheConfigPushedAndTheDefaultConfigAndSchemaSentKeepEveryDigit() throws Exception {
    service = FakeConfigService.start();
    project = PythonProject.in(dir).withConf("exact", FreePort.find(), service.address(), "{}");
    String schema = """
        {"type":"object","title":"Remote config","properties":{
          "pi":{"type":"number","maximum":1e400,"minimum":-3.14159265358979323846264338327950288},
          "beyond64":{"type":"integer","maximum":123456789012345678901234567890123}}}""";
    project.write("conf/remote_config_schema.json", schema);
    project.write("conf/default_remote_config.json", CONFIG);
    service.setActiveConfig("exact", CONFIG);
    launcher = start(Map.of("remoteConfigOverride", OVERRIDE));

    FakeConfigService.Received declared = service.await(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA,
        Duration.ofSeconds(60));
    JsonNode data = EXACT.readTree(declared.message().data());
    assertSameValues(EXACT.writeValueAsString(data.get("config")), CONFIG);
    assertSameValues(EXACT.writeValueAsString(data.get("schema")), schema);
    assertThat(data.get("schema").get("properties").get("pi").get("maximum").isNumber())
        .as("1e400 is sent as a number, never as \"Infinity\"").isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> project.events("listening").size() == 1);
    assertSameValues(project.events("started").get(0).get("configText").asString(),
        CONFIG.replace("\"from the service\"", "\"overridden\""));

    String changed = CONFIG.replace("3.14159265358979323846264338327950288", "2.71828182845904523536028747135266250");
    service.pushConfig("exact", changed);
    await().atMost(Duration.ofSeconds(60)).until(() -> project.events("listening").size() == 2);
    assertSameValues(project.events("started").get(1).get("configText").asString(),
        changed.replace("\"from the service\"", "\"overridden\""));
  }

  @Test
  void offlineEveryNumberReachesTheChildToTheCharacterAndAnotherFormIsAChange() throws Exception {
    project = PythonProject.in(dir).withConf("exact", FreePort.find(), "127.0.0.1:9001",
        FORMS.replace(",", ", ").replace(":", ": "));
    launcher = start(Map.of("CLUSTER_MODE", "offline"));
    await().atMost(Duration.ofSeconds(60)).until(() -> project.events("listening").size() == 1);
    assertThat(project.events("started").get(0).get("configText").asString()).isEqualTo(FORMS);
    Thread.sleep(1600); // past the 1.5 s in which config changes collapse into one restart

    String positive = FORMS.replace("-0.0", "0.0");
    project.write("conf/config.json", positive);

    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 2);
    assertThat(project.events("started").get(1).get("configText").asString()).as("-0.0 to 0.0 is a change")
        .isEqualTo(positive);
  }

  @Test
  void clusterTheConfigAndTheModulesDeclarationKeepEveryNumbersText() throws Exception {
    service = FakeConfigService.start();
    project = PythonProject.in(dir).withConf("exact", FreePort.find(), service.address(), "{}");
    project.write("conf/default_remote_config.json", "{}");
    project.write("conf/module.yml", """
        version: 1.10
        endpoints:
          - path: /api/exact/do
            httpMethod: POST
            extra: { ratio: 2.50, n: 5e0, zero: -0.0, list: [1E0, 0x10], text: "2.50" }
        """);
    service.setActiveConfig("exact", FORMS);
    launcher = start(Map.of());

    FakeConfigService.Received ready = service.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(60));
    assertThat(ready.message().data()).contains("\"version\":\"1.10\"")
        .contains("\"extra\":{\"ratio\":2.50,\"n\":5e0,\"zero\":-0.0,\"list\":[1E0,16],\"text\":\"2.50\"}");
    assertThat(project.events("started").get(0).get("configText").asString()).isEqualTo(FORMS);

    String positive = FORMS.replace("-0.0", "0.0");
    service.pushConfig("exact", positive);
    await().atMost(Duration.ofSeconds(60)).until(() -> project.events("listening").size() == 2);
    assertThat(project.events("started").get(1).get("configText").asString()).isEqualTo(positive);
  }

  private LauncherProcess start(Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.putAll(extra);
    return LauncherProcess.start(LauncherOfflineIT.JAR, project.root(), environment, List.of());
  }

  /** Same JSON value, numbers compared as BigDecimal (so 1E+400 equals 1e400, but no digit may change). */
  static void assertSameValues(String actual, String expected) {
    JsonNode a = EXACT.readTree(actual);
    JsonNode e = EXACT.readTree(expected);
    assertThat(a.equals((x, y) -> x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue())
        : x.equals(y) ? 0 : 1, e)).as("exact values:%n  got      %s%n  expected %s", actual, expected).isTrue();
  }
}
