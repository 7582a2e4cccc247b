package ru.txix.isp.pywrapper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.cluster.etp.EtpSettings;
import ru.txix.isp.pywrapper.config.HostPort;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FakeConfigService.Received;
import ru.txix.isp.pywrapper.testing.FreePort;
import tools.jackson.databind.json.JsonMapper;

/** The config-service session against the in-process double over real sockets. */
class ClusterClientTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String SCHEMA = "{\"type\":\"object\",\"title\":\"Remote config\"}";

  private final List<FakeConfigService> services = new ArrayList<>();
  private final RecordingClusterHandler handler = new RecordingClusterHandler();
  private final List<String> sessions = new CopyOnWriteArrayList<>();
  private ClusterClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    services.forEach(FakeConfigService::close);
  }

  @Test
  void handshakeSendsSchemaRequirementsAndReadyExactlyAsIspKitDoes() {
    FakeConfigService service = service();
    service.setAddresses("auth", "[{\"ip\":\"10.0.0.7\",\"port\":\"9011\"},{\"ip\":\"fd00::1\",\"port\":\"9011\"}]");
    start(declaration(List.of(Endpoint.post("/api/m/do").withAdminPermission("perm")), List.of("auth"), null),
        ClusterSettings.DEFAULTS, service);

    Received ready = service.await(ClusterEvents.MODULE_READY, WAIT);

    List<Received> frames = service.received();
    assertThat(frames).extracting(r -> r.message().name() + "#" + r.message().ackId()).containsExactly(
        "MODULE:SEND_CONFIG_SCHEMA#1", "MODULE:SEND_REQUIREMENTS#2", "MODULE:READY#3");
    assertThat(frames.get(0).message().data()).isEqualTo(
        "{\"version\":\"1.2.3\",\"schema\":" + SCHEMA + ",\"config\":{\"logLevel\":\"info\"}}");
    assertThat(frames.get(1).message().data()).isEqualTo("{\"requiredModules\":[\"auth\"],\"requireRoutes\":false}");
    assertThat(ready.json()).isEqualTo(JSON.readTree("""
        {"moduleName":"my-module","version":"1.2.3","libVersion":"0.1.0","transport":"http",
         "endpoints":[{"path":"/api/m/do","inner":false,"userAuthRequired":false,"httpMethod":"POST",
                       "extra":{"reqAdminPerm":"perm"}}],
         "requiredModules":[{"name":"auth","required":true}],
         "address":{"ip":"10.0.0.5","port":"9003"},
         "metricsAutodiscovery":null}"""));
    assertThat(ready.message().data()).startsWith("{\"moduleName\":\"my-module\",\"version\":\"1.2.3\",");
    assertThat(handler.configs).containsExactly("CONFIG:SEND_CONFIG_WHEN_CONNECTED {\"logLevel\":\"info\"}");
    assertThat(handler.hosts).containsExactly("auth=[10.0.0.7:9011, [fd00::1]:9011]");
    await().atMost(WAIT).until(() -> client.sessionActive() && sessions.size() == 2);
    assertThat(sessions).containsExactly("starting " + service.address(), "active " + service.address());
  }

  @Test
  void readyWithoutEndpointsNorRequirementsUsesNullAndEmptyAndAnnouncesMetrics() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of(), new ModuleDeclaration.Metrics("", 9004, Map.of("env", "prod"))),
        ClusterSettings.DEFAULTS, service);

    Received ready = service.await(ClusterEvents.MODULE_READY, WAIT);

    assertThat(ready.json().get("endpoints").isNull()).isTrue();
    assertThat(ready.json().get("requiredModules")).isEqualTo(JSON.readTree("[]"));
    assertThat(ready.json().get("metricsAutodiscovery")).isEqualTo(JSON.readTree(
        "{\"address\":\"10.0.0.5:9004\",\"labels\":{\"__metrics_path__\":\"/internal/metrics\",\"app\":\"my-module\","
            + "\"env\":\"prod\"}}"));
    assertThat(service.received(ClusterEvents.MODULE_SEND_REQUIREMENTS).get(0).message().data())
        .isEqualTo("{\"requiredModules\":[],\"requireRoutes\":false}");
  }

  @Test
  void readyWaitsUntilThePythonServiceAccepts() {
    FakeConfigService service = service();
    handler.accepting = new CompletableFuture<>();
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_SEND_REQUIREMENTS, WAIT);
    await().atMost(WAIT).until(() -> !handler.configs.isEmpty());

    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
        .until(() -> service.received(ClusterEvents.MODULE_READY).isEmpty());
    assertThat(client.sessionActive()).isFalse();

    handler.accepting.complete(null);
    service.await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(client::sessionActive);
  }

  @Test
  void readyIsSentAnywayAfterTheReadinessLimit() {
    FakeConfigService service = service();
    handler.accepting = new CompletableFuture<>();
    start(declaration(List.of(), List.of(), null),
        ClusterSettings.DEFAULTS.withReadinessTimeout(Duration.ofMillis(500)), service);

    service.await(ClusterEvents.MODULE_READY, WAIT);
    assertThat(service.connects()).isEqualTo(1);
  }

  @Test
  void invalidFirstConfigHoldsReadyWithoutReconnectingUntilACorrectedOneArrives() {
    FakeConfigService service = service();
    service.setActiveConfig("my-module", "{\"invalid\":true}");
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS.withConfigTimeout(Duration.ofMillis(500)),
        service);
    await().atMost(WAIT).until(() -> handler.configs.size() == 1);

    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> service.received(ClusterEvents.MODULE_READY).isEmpty() && service.connects() == 1);

    service.pushConfig("my-module", "{\"fixed\":true}");
    service.await(ClusterEvents.MODULE_READY, WAIT);
    assertThat(handler.configs).containsExactly("CONFIG:SEND_CONFIG_WHEN_CONNECTED {\"invalid\":true}",
        "CONFIG:SEND_CONFIG_CHANGED {\"fixed\":true}");
    assertThat(service.connects()).isEqualTo(1);
  }

  @Test
  void configsAndHostListsReachTheHandlerInArrivalOrder() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of("auth"), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_READY, WAIT);

    for (int i = 1; i <= 50; i++) {
      service.pushConfig("my-module", "{\"v\":" + i + "}");
      service.pushAddresses("auth", "[{\"ip\":\"10.0.0." + i + "\",\"port\":\"1\"}]");
    }

    await().atMost(WAIT).until(() -> handler.configs.size() == 51 && handler.hosts.size() == 51);
    for (int i = 1; i <= 50; i++) {
      assertThat(handler.configs.get(i)).isEqualTo("CONFIG:SEND_CONFIG_CHANGED {\"v\":" + i + "}");
      assertThat(handler.hosts.get(i)).isEqualTo("auth=[10.0.0." + i + ":1]");
    }
  }

  @Test
  void reconnectsAboutASecondAfterTheConnectionDrops() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(client::sessionActive);

    long dropped = System.nanoTime();
    service.dropAll();
    await().atMost(WAIT).until(() -> !client.sessionActive());
    await().atMost(WAIT).until(() -> service.received(ClusterEvents.MODULE_READY).size() == 2);

    long tookMillis = (System.nanoTime() - dropped) / 1_000_000;
    assertThat(tookMillis).isBetween(900L, 3000L);
    assertThat(handler.configs).hasSize(2);
  }

  @Test
  void failsOverToTheNextHostWhenOneIsDown() {
    FakeConfigService live = service();
    int dead = FreePort.find();
    client = new ClusterClient(List.of(new HostPort("127.0.0.1", dead), new HostPort("127.0.0.1", live.port())),
        declaration(List.of(), List.of(), null), handler, listener(), ClusterSettings.DEFAULTS);
    client.start();

    live.await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(client::sessionActive);
  }

  @Test
  void missingPongEndsTheSessionAndANewOneFollows() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS.withEtp(
        EtpSettings.DEFAULTS.withPingInterval(Duration.ofMillis(300)).withPongTimeout(Duration.ofMillis(300))), service);
    service.await(ClusterEvents.MODULE_READY, WAIT);
    service.answerPings(false);

    await().atMost(WAIT).until(() -> sessions.stream().anyMatch(s -> s.startsWith("ended") && s.contains("no pong")));
    service.answerPings(true);
    await().atMost(WAIT).until(() -> service.received(ClusterEvents.MODULE_READY).size() >= 2);
  }

  @Test
  void oversizedMessageEndsTheSessionWith1009AndTheModuleReconnects() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_READY, WAIT);

    service.sendRaw(ClusterEvents.CONFIG_SEND_CONFIG_CHANGED + "||0||{\"big\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}");

    await().atMost(WAIT).until(() -> sessions.stream().anyMatch(s -> s.startsWith("ended") && s.contains("1009")));
    await().atMost(WAIT).until(() -> service.received(ClusterEvents.MODULE_READY).size() == 2);
    assertThat(handler.configs).noneMatch(c -> c.contains("big"));
  }

  @Test
  void malformedFramesAndUnknownEventsAreIgnoredAndTheSessionGoesOn() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_READY, WAIT);

    service.sendRaw("not an etp frame");
    service.sendRaw("CONFIG:SEND_CONFIG_CHANGED||zz||{}");
    service.sendRaw("SOMETHING_NEW||42||{\"a\":1}");
    service.sendRaw("CONFIG:SEND_CONFIG_CHANGED||0||{not json");
    service.pushConfig("my-module", "{\"after\":1}");

    await().atMost(WAIT).until(() -> handler.configs.stream().anyMatch(c -> c.contains("after")));
    Received ack = service.await("__ack_SOMETHING_NEW", WAIT);
    assertThat(ack.message().ackId()).isEqualTo(42);
    assertThat(ack.message().data()).isEmpty();
    assertThat(client.sessionActive()).isTrue();
    assertThat(service.connects()).isEqualTo(1);
  }

  @Test
  void closeEndsTheSessionWithANormalClose() {
    FakeConfigService service = service();
    start(declaration(List.of(), List.of(), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_READY, WAIT);

    client.close();

    await().atMost(WAIT).until(() -> service.closeCodes().contains(1000));
    assertThat(client.sessionActive()).isFalse();
    assertThat(service.connects()).isEqualTo(1);
  }

  private FakeConfigService service() {
    FakeConfigService service = FakeConfigService.start();
    services.add(service);
    return service;
  }

  private void start(ModuleDeclaration declaration, ClusterSettings settings, FakeConfigService service) {
    client = new ClusterClient(List.of(new HostPort("127.0.0.1", service.port())), declaration, handler, listener(),
        settings);
    client.start();
  }

  private ClusterListener listener() {
    return new ClusterListener() {
      @Override
      public void sessionStarting(String host, String sessionId) {
        sessions.add("starting " + host);
      }

      @Override
      public void sessionActive(String host, String sessionId) {
        sessions.add("active " + host);
      }

      @Override
      public void sessionEnded(String host, String sessionId, String reason, boolean normal) {
        sessions.add("ended " + host + " " + reason);
      }
    };
  }

  private static ModuleDeclaration declaration(List<Endpoint> endpoints, List<String> required,
                                               ModuleDeclaration.Metrics metrics) {
    return new ModuleDeclaration("my-module", "1.2.3", "0.1.0", endpoints, required, "10.0.0.5", 9003, metrics,
        SCHEMA, "{\"logLevel\":\"info\"}");
  }
}
