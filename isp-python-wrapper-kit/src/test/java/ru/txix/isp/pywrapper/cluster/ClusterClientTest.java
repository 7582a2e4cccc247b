package ru.txix.isp.pywrapper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.cluster.etp.EtpSettings;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.net.HostPort;
import ru.txix.isp.pywrapper.testing.FakeConfigService.Received;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import tools.jackson.databind.json.JsonMapper;

/** The config-service session against the in-process double over real sockets. */
class ClusterClientTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String SCHEMA = "{\"type\":\"object\",\"title\":\"Remote config\"}";
  /** Longer than any wait here: a failover that paused would not finish in time. */
  private static final Duration NO_PAUSE = Duration.ofMinutes(10);
  private static final String MISSING_VARIABLES =
      "handle onModuleConfigSchema: missing variables in initial config: [dbHost,dbPassword]";

  private final List<FakeConfigService> services = new ArrayList<>();
  private final RecordingClusterHandler handler = new RecordingClusterHandler();
  private final List<String> sessions = new CopyOnWriteArrayList<>();
  /** When each session began: host and System.nanoTime(). */
  private final List<Map.Entry<String, Long>> starts = new CopyOnWriteArrayList<>();
  private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(ClusterClient.class),
      (Logger) LoggerFactory.getLogger(ConfigServiceSession.class));
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private ClusterClient client;

  ClusterClientTest() {
    logs.start();
    loggers.forEach(logger -> logger.addAppender(logs));
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    services.forEach(FakeConfigService::close);
    loggers.forEach(logger -> logger.detachAppender(logs));
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
  void anAddressListedTwiceReachesTheHandlerOnceInTheOrderOfItsFirstAppearance() {
    FakeConfigService service = service();
    service.setAddresses("auth", "[{\"ip\":\"10.0.0.8\",\"port\":\"9011\"},{\"ip\":\"10.0.0.7\",\"port\":\"9011\"},"
        + "{\"ip\":\"10.0.0.8\",\"port\":\"9011\"},{\"ip\":\"10.0.0.8\",\"port\":\"9012\"}]");
    start(declaration(List.of(), List.of("auth"), null), ClusterSettings.DEFAULTS, service);
    service.await(ClusterEvents.MODULE_READY, WAIT);

    service.pushAddresses("auth", "[{\"ip\":\"fd00::1\",\"port\":\"1\"},{\"ip\":\"fd00::1\",\"port\":\"1\"}]");

    await().atMost(WAIT).until(() -> handler.hosts.size() == 2);
    assertThat(handler.hosts).containsExactly("auth=[10.0.0.8:9011, 10.0.0.7:9011, 10.0.0.8:9012]",
        "auth=[[fd00::1]:1]");
  }

  // ---- the end of a session and the failover ----

  @Test
  void aRefusedSchemaEndsTheSessionAtOnceAndTheNextHostIsTriedWithoutWaiting() {
    List<FakeConfigService> nodes = cluster(2);
    nodes.get(0).midElection();
    startOn(nodes, ClusterSettings.DEFAULTS.withReconnectDelay(NO_PAUSE));

    nodes.get(1).await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(() -> sessions.size() == 4);

    assertThat(nodes.get(0).received()).extracting(r -> r.message().name())
        .containsExactly(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA);
    await().atMost(WAIT).until(() -> nodes.get(0).closeCodes().equals(List.of(1000)));
    assertThat(sessions).containsExactly("starting " + nodes.get(0).address(),
        "ended " + nodes.get(0).address() + " refused MODULE:SEND_CONFIG_SCHEMA: "
            + FakeConfigService.MID_ELECTION_REFUSAL,
        "starting " + nodes.get(1).address(), "active " + nodes.get(1).address());
    assertThat(handler.configs).containsExactly("CONFIG:SEND_CONFIG_WHEN_CONNECTED {\"logLevel\":\"info\"}");
  }

  @Test
  void refusedRequirementsEndTheSessionToo() {
    List<FakeConfigService> nodes = cluster(2);
    nodes.get(0).refuse(ClusterEvents.MODULE_SEND_REQUIREMENTS,
        "handle onModuleRequirements: subscribe to required modules: database is locked");
    startOn(nodes, ClusterSettings.DEFAULTS.withReconnectDelay(NO_PAUSE));

    nodes.get(1).await(ClusterEvents.MODULE_READY, WAIT);

    assertThat(nodes.get(0).received()).extracting(r -> r.message().name())
        .containsExactly(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA, ClusterEvents.MODULE_SEND_REQUIREMENTS);
    assertThat(sessions).contains("ended " + nodes.get(0).address() + " refused MODULE:SEND_REQUIREMENTS: "
        + "handle onModuleRequirements: subscribe to required modules: database is locked");
  }

  @Test
  void aRefusedReadyIsNotAnActiveSessionAndTheNextHostIsTried() {
    List<FakeConfigService> nodes = cluster(2);
    nodes.get(0).refuse(ClusterEvents.MODULE_READY, "handle onModuleReady: connect: upsert backend in store: "
        + "leadership lost while committing log");
    startOn(nodes, ClusterSettings.DEFAULTS.withReconnectDelay(NO_PAUSE));

    nodes.get(1).await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(() -> sessions.size() == 4);

    assertThat(client.sessionActive()).isTrue();
    assertThat(sessions).containsExactly("starting " + nodes.get(0).address(),
        "ended " + nodes.get(0).address() + " refused MODULE:READY: handle onModuleReady: connect: upsert backend "
            + "in store: leadership lost while committing log",
        "starting " + nodes.get(1).address(), "active " + nodes.get(1).address());
  }

  @Test
  void aConfigThatDoesNotComeWithinTheTimeoutMovesOnToTheNextHost() {
    List<FakeConfigService> nodes = cluster(2);
    nodes.get(0).withholdConfig(true);
    startOn(nodes, ClusterSettings.DEFAULTS.withConfigTimeout(Duration.ofMillis(300)).withReconnectDelay(NO_PAUSE));

    nodes.get(1).await(ClusterEvents.MODULE_READY, WAIT);

    assertThat(nodes.get(0).received(ClusterEvents.MODULE_READY)).isEmpty();
    assertThat(sessions).contains("ended " + nodes.get(0).address()
        + " no CONFIG:SEND_CONFIG_WHEN_CONNECTED within 300ms");
    assertThat(lines(Level.INFO)).last().asString().matches("INFO module ready: config service session active on "
        + quote(nodes.get(1).address()) + " after 1 failed attempt in \\d+ms \\(" + quote(nodes.get(0).address())
        + ": 1 config wait timed out\\)");
  }

  @Test
  void afterTheActiveNodeDiesTheOthersAreTriedInOrderPastAMidElectionNodeAndTheLogsTellTheStory() {
    List<FakeConfigService> nodes = cluster(3);
    startOn(nodes, ClusterSettings.DEFAULTS.withReconnectDelay(NO_PAUSE));
    nodes.get(0).await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(client::sessionActive);
    String a = nodes.get(0).address();
    String b = nodes.get(1).address();
    String c = nodes.get(2).address();
    logs.list.clear();

    nodes.get(1).midElection();
    nodes.get(0).kill();

    nodes.get(2).await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(() -> sessions.contains("active " + c));
    assertThat(sessions).containsSubsequence("active " + a, "starting " + b, "ended " + b
        + " refused MODULE:SEND_CONFIG_SCHEMA: " + FakeConfigService.MID_ELECTION_REFUSAL, "starting " + c,
        "active " + c);
    assertThat(sessions.stream().filter(s -> s.startsWith("starting"))).containsExactly("starting " + a,
        "starting " + b, "starting " + c);
    assertThat(lines(Level.INFO)).satisfiesExactly(
        line -> assertThat(line).startsWith("INFO config service session with " + a + " ended (closed by the peer")
            .endsWith("); failing over to " + b),
        line -> assertThat(line).isEqualTo("INFO config service " + b + " refused MODULE:SEND_CONFIG_SCHEMA: "
            + FakeConfigService.MID_ELECTION_REFUSAL + "; trying " + c + " next"),
        line -> assertThat(line).matches("INFO module ready again: config service session active on "
            + quote(c) + ", \\d+ms after the session with " + quote(a) + " ended; 1 failed attempt in between \\("
            + quote(b) + ": 1 refusal\\)"));
    ILoggingEvent ready = logs.list.get(logs.list.size() - 1);
    assertThat(ready.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value).contains("configService=" + c,
        "failedAttempts=1", "refusals=1", "configTimeouts=0", "hostsTried=" + b);
  }

  @Test
  void aClusterWhoseNodesAllRefuseIsRetriedQuicklyDuringAnElectionsLengthThenEveryReconnectDelay() {
    List<FakeConfigService> nodes = cluster(2);
    nodes.forEach(FakeConfigService::midElection);
    AtomicLong clock = new AtomicLong();
    Duration election = Duration.ofMillis(150);
    Duration reconnect = Duration.ofMillis(600);
    client = new ClusterClient(nodes.stream().map(n -> new HostPort("127.0.0.1", n.port())).toList(),
        declaration(List.of(), List.of(), null), handler, handler, listener(), ClusterSettings.DEFAULTS
        .withReconnectDelay(reconnect).withElectionRetry(election, Duration.ofSeconds(10)), firstHost(), clock::get);
    client.start();

    await().atMost(WAIT).until(() -> starts.size() >= 8);
    assertGapsBetweenSessionsWithOneHost(nodes, 0, election);
    clock.addAndGet(Duration.ofSeconds(10).toNanos());
    int early = starts.size();
    await().atMost(WAIT).until(() -> starts.size() >= early + 6);
    assertGapsBetweenSessionsWithOneHost(nodes, early + 2, reconnect);

    String a = nodes.get(0).address();
    String b = nodes.get(1).address();
    String refusal = ": refused MODULE:SEND_CONFIG_SCHEMA: " + FakeConfigService.MID_ELECTION_REFUSAL;
    assertThat(lines(Level.INFO)).containsExactly("INFO run config service session", "INFO send event",
        "INFO config service " + a + refusal.substring(1) + "; trying " + b + " next");
    assertThat(lines(Level.WARN)).containsExactly("WARN no config service available: " + a + refusal + "; " + b
        + refusal + "; retrying in 150ms");
  }

  /** Between two sessions with one host (from the {@code from}th session on): at least {@code least}. */
  private void assertGapsBetweenSessionsWithOneHost(List<FakeConfigService> nodes, int from, Duration least) {
    for (FakeConfigService node : nodes) {
      List<Long> times = starts.subList(from, starts.size()).stream().filter(e -> e.getKey().equals(node.address()))
          .map(Map.Entry::getValue).toList();
      assertThat(times).hasSizeGreaterThan(1);
      for (int i = 1; i < times.size(); i++) {
        assertThat((times.get(i) - times.get(i - 1)) / 1_000_000).as("ms between two sessions with %s", node.address())
            .isGreaterThanOrEqualTo(least.toMillis() - 5);
      }
    }
  }

  @Test
  void aNodeThatKeepsDroppingActiveSessionsIsNotReconnectedToWithinTheReconnectDelay() throws Exception {
    List<FakeConfigService> nodes = cluster(2);
    Duration delay = Duration.ofMillis(500);
    startOn(nodes, ClusterSettings.DEFAULTS.withReconnectDelay(delay));
    long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    while (System.nanoTime() < until) {
      await().atMost(WAIT).until(client::sessionActive);
      long ended = sessions.stream().filter(s -> s.startsWith("ended")).count();
      nodes.forEach(FakeConfigService::dropAll);
      await().atMost(WAIT).until(() -> sessions.stream().filter(s -> s.startsWith("ended")).count() > ended);
    }

    assertGapsBetweenSessionsWithOneHost(nodes, 0, delay);
  }

  @Test
  void aSchemaRefusedForGoodIsLoggedInFullOnceThenSummarisedEvery30SecondsAndReportedByHealth() {
    FakeConfigService service = service();
    service.refuse(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA, MISSING_VARIABLES);
    AtomicLong clock = new AtomicLong();
    Duration reconnect = Duration.ofMillis(300);
    client = new ClusterClient(List.of(new HostPort("127.0.0.1", service.port())),
        declaration(List.of(), List.of(), null), handler, handler, listener(), ClusterSettings.DEFAULTS
        .withReconnectDelay(reconnect).withElectionRetry(Duration.ofMillis(10), Duration.ofMinutes(1)), firstHost(),
        clock::get);
    String host = service.address();
    String refusal = host + ": refused MODULE:SEND_CONFIG_SCHEMA: " + MISSING_VARIABLES;
    client.start();

    await().atMost(WAIT).until(() -> service.connects() >= 5);
    assertGapsBetweenSessionsWithOneHost(List.of(service), 0, reconnect);
    assertThat(lines(Level.WARN)).containsExactly("WARN no config service available: " + refusal
        + "; retrying in 300ms");
    assertThat(lines(Level.ERROR)).isEmpty();
    assertThat(messages(Level.INFO)).containsExactly("run config service session", "send event");
    assertThat(client.inactiveReason()).hasValueSatisfying(reason -> assertThat(reason)
        .matches("session inactive: \\d+ failed attempts in 0ms; last: " + quote(refusal)));

    clock.addAndGet(Duration.ofSeconds(30).toNanos());
    int connects = service.connects();
    await().atMost(WAIT).until(() -> service.connects() > connects + 1);
    assertThat(lines(Level.WARN)).hasSize(2).last().asString().matches("WARN still no config service available: "
        + "\\d+ failed attempts in 30s \\(" + quote(host) + ": \\d+ refusals\\); last: " + quote(refusal)
        + "; retrying in 300ms");
    assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN).last()
        .satisfies(e -> assertThat(e.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
            .contains("configService=" + host));

    service.stopRefusing();
    service.await(ClusterEvents.MODULE_READY, WAIT);
    await().atMost(WAIT).until(client::sessionActive);
    assertThat(client.inactiveReason()).isEmpty();
    assertThat(lines(Level.INFO)).last().asString().matches("INFO module ready: config service session active on "
        + quote(host) + " after \\d+ failed attempts in 30s \\(" + quote(host) + ": \\d+ refusals\\)");
    assertThat(lines(Level.WARN)).hasSize(2);
  }

  @Test
  void failsOverToTheNextHostWhenOneIsDown() {
    FakeConfigService live = service();
    int dead = FreePort.find();
    client = new ClusterClient(List.of(new HostPort("127.0.0.1", dead), new HostPort("127.0.0.1", live.port())),
        declaration(List.of(), List.of(), null), handler, handler, listener(), ClusterSettings.DEFAULTS);
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

  private List<FakeConfigService> cluster(int nodes) {
    List<FakeConfigService> cluster = FakeConfigService.cluster(nodes);
    services.addAll(cluster);
    return cluster;
  }

  /** A client of every node, that begins with the first. */
  private void startOn(List<FakeConfigService> nodes, ClusterSettings settings) {
    client = new ClusterClient(nodes.stream().map(n -> new HostPort("127.0.0.1", n.port())).toList(),
        declaration(List.of(), List.of(), null), handler, handler, listener(), settings, firstHost(), System::nanoTime);
    client.start();
  }

  /** Picks the first host as the start of the round robin. */
  private static Random firstHost() {
    return new Random() {
      @Override
      public int nextInt(int bound) {
        return 0;
      }
    };
  }

  /** The client's and the sessions' lines at {@code level}: "LEVEL message". */
  private List<String> lines(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level)
        .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  private List<String> messages(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static String quote(String text) {
    return java.util.regex.Pattern.quote(text);
  }

  private void start(ModuleDeclaration declaration, ClusterSettings settings, FakeConfigService service) {
    client = new ClusterClient(List.of(new HostPort("127.0.0.1", service.port())), declaration, handler, handler,
        listener(),
        settings);
    client.start();
  }

  private ClusterListener listener() {
    return new ClusterListener() {
      @Override
      public void sessionStarting(String host, String sessionId) {
        sessions.add("starting " + host);
        starts.add(Map.entry(host, System.nanoTime()));
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
        JsonValues.read(SCHEMA), JsonValues.read("{\"logLevel\":\"info\"}"));
  }
}
