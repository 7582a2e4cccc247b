package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static ru.txix.isp.pywrapper.launcher.Distribution.run;
import static ru.txix.isp.pywrapper.launcher.Distribution.withoutJava;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.internal.posix.NativeSockets;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.launcher.Distribution.Result;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;

/**
 * The self-contained distribution as {@code make dist} makes it ({@code scripts/make-dist}, run once for this
 * class on the packaged jar), run as a user runs it: on a machine with no Java — no {@code java} on PATH, no
 * {@code JAVA_HOME} — on the fixture service, under a datagram socket standing in for systemd.
 */
@RealProcessTest
class DistributionIT {
  /** The modules the runtime holds: those scripts/make-dist names, no more. */
  static final Set<String> MODULES = Set.of("java.base", "java.logging", "java.management", "java.xml",
      "jdk.httpserver", "jdk.management", "jdk.unsupported");
  /** The archive's size target (the Go original ships one 29 MB binary). */
  static final long MAX_ARCHIVE_BYTES = 32_000_000;

  private static Path dist;
  private static Path archive;

  @TempDir
  Path dir;

  private PythonProject project;
  private LauncherProcess host;
  private int systemd = -1;
  private Path systemdSocket;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void makeDist() throws Exception {
    dist = Distribution.made().folder();
    archive = Distribution.made().archive();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (host != null) {
      host.close();
    }
    if (project != null) {
      project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
    if (systemd >= 0) {
      NativeSockets.close(systemd);
      Files.deleteIfExists(systemdSocket);
    }
  }

  @Test
  void theArchiveIsSmallAndHoldsTheRuntimeTheJarItsCacheAndTheNotices() throws Exception {
    String name = dist.getFileName().toString();
    assertThat(name).matches("isp-python-wrapper-[0-9][^/]*-linux-x64");
    assertThat(archive.getFileName().toString()).isEqualTo(name + ".tar.gz");
    assertThat(Files.size(archive)).as("archive bytes").isLessThanOrEqualTo(MAX_ARCHIVE_BYTES);

    List<String> listed = List.of(run(List.of("tar", "-tzf", archive.toString()), dir, Map.of(),
        Duration.ofMinutes(1)).output().split("\n"));
    for (String file : List.of("bin/isp-python-wrapper", "lib/isp-python-wrapper.jar", "lib/isp-python-wrapper.jsa",
        "runtime/bin/java", "runtime/lib/modules", "runtime/legal/java.base/LICENSE", "LICENSE", "NOTICE",
        "licenses/THIRD-PARTY.md", "licenses/Apache-2.0.txt")) {
      assertThat(listed).as("in the archive").contains(name + "/" + file);
      assertThat(dist.resolve(file)).as("unpacked").exists();
    }
    assertThat(listed).anyMatch(entry -> entry.matches(Pattern.quote(name)
        + "/lib/isp-python-wrapper\\.native/jna-[^/]+/libjnidispatch\\.so"));
    assertThat(Files.isExecutable(dist.resolve("bin/isp-python-wrapper"))).isTrue();

    Result modules = run(List.of(dist.resolve("runtime/bin/java").toString(), "--list-modules"), dir, Map.of(),
        Duration.ofMinutes(1));
    assertThat(modules.output().lines().map(line -> line.replaceAll("@.*", "")).collect(Collectors.toSet()))
        .isEqualTo(MODULES);
  }

  @Test
  void everyLibraryInTheJarIsListedWithItsLicence() throws Exception {
    String table = Files.readString(dist.resolve("licenses/THIRD-PARTY.md"));
    List<String> packages = new ArrayList<>(List.of("ru.txix.isp"));
    Set<String> files = new TreeSet<>();
    for (String row : table.lines().filter(line -> line.startsWith("| ") && !line.startsWith("| Library"))
        .collect(Collectors.toList())) {
      String[] cells = row.split("\\|");
      Matcher named = Pattern.compile("`([^`]+)`").matcher(cells[4]);
      while (named.find()) {
        files.add(named.group(1));
      }
      Matcher prefix = Pattern.compile("`([^`]+)`").matcher(cells[5]);
      while (prefix.find()) {
        packages.add(prefix.group(1));
      }
    }
    assertThat(files).isNotEmpty();
    for (String file : files) {
      try (Stream<Path> present = Files.list(dist.resolve("licenses"))) {
        String glob = file.replace(".", "\\.").replace("*", ".*");
        assertThat(present.map(p -> p.getFileName().toString()).filter(n -> n.matches(glob)).count())
            .as("licenses/%s", file).isPositive();
      }
    }
    Set<String> unlisted = new TreeSet<>();
    try (ZipFile jar = new ZipFile(dist.resolve("lib/isp-python-wrapper.jar").toFile())) {
      for (ZipEntry entry : Collections.list(jar.entries())) {
        String path = entry.getName().replaceFirst("^META-INF/versions/[0-9]+/", "");
        if (!path.endsWith(".class") || path.startsWith("META-INF/") || !path.contains("/")) {
          continue;
        }
        String pkg = path.substring(0, path.lastIndexOf('/')).replace('/', '.');
        if (packages.stream().noneMatch(p -> pkg.equals(p) || pkg.startsWith(p + "."))) {
          unlisted.add(pkg);
        }
      }
    }
    assertThat(unlisted).as("packages of the jar no row of licenses/THIRD-PARTY.md covers").isEmpty();
  }

  @Test
  void runsWithoutJavaProbesItsChildReapsWhatItOrphansAndTellsSystemd() throws Exception {
    assertThat(run(List.of("/bin/sh", "-c", "command -v java"), dir, withoutJava(Map.of()), Duration.ofSeconds(10))
        .code()).as("no java on the PATH the test gives").isNotZero();
    project = PythonProject.in(dir.resolve("project")).withConf("dist-module", FreePort.find(), "127.0.0.1:9001",
        "{\"grandchildren\":[\"orphan\"],\"orphanLifetime\":3}");
    systemdSocket = Files.createTempDirectory(Path.of("/tmp"), "sd").resolve("notify");
    systemd = NativeSockets.datagram(systemdSocket, 100);
    Map<String, String> environment = withoutJava(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.put("NOTIFY_SOCKET", systemdSocket.toString());
    environment.put("WATCHDOG_USEC", "1000000");
    environment.put("JAVA_OPTS", "-Xshare:on"); // the JVM refuses to start unless the shipped cache is used
    host = LauncherProcess.run(List.of(dist.resolve("bin/isp-python-wrapper").toString()), project.root(),
        environment);

    JsonNode started = awaitEvent("started", 1);
    long orphan = started.get("children").get(0).asLong();
    assertThat(ProcTable.read(orphan).orElseThrow().ppid()).as("the orphan's parent: the host, its subreaper")
        .isEqualTo(host.pid());
    awaitEvent("listening", 1);
    await().atMost(Duration.ofSeconds(15)).until(() -> get("/internal/health/readiness").statusCode() == 200);
    assertThat(get("/internal/health/readiness").body()).isEqualTo("{\"status\":\"UP\"}\n");
    assertThat(get("/internal/health/liveness").body()).isEqualTo("{\"status\":\"UP\"}\n");

    List<String> notes = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      notes.addAll(receive());
      return notes.stream().anyMatch(n -> n.startsWith("READY=1\n")) && notes.contains("WATCHDOG=1");
    });
    assertThat(notes.stream().filter(n -> n.startsWith("READY=1")).collect(Collectors.toList()))
        .containsExactly("READY=1\nSTATUS=python service running: " + readyDetail(notes));
    long python = started.get("pid").asLong();
    assertThat(environ(python)).as("the child's environment").noneMatch(v -> v.startsWith("NOTIFY_SOCKET=")
        || v.startsWith("WATCHDOG_"));
    assertThat(project.events("notified")).as("the child never spoke to systemd's socket").isEmpty();

    await("the orphan exited and was reaped, no zombie left").atMost(Duration.ofSeconds(10))
        .until(() -> ProcTable.read(orphan).isEmpty());

    // A rejected config: /internal/health fails, the child serves on, the host is live and ready.
    project.write("conf/config.json", "{\"v\": ");
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/internal/health").statusCode() == 500);
    assertThat(get("/internal/health").body()).contains("\"remoteConfig\"");
    assertThat(get("/internal/health/liveness").statusCode()).isEqualTo(200);
    assertThat(get("/internal/health/readiness").statusCode()).isEqualTo(200);

    // A child in back-off: not ready, still live.
    project.write("conf/config.json", "{\"exitCode\": 3}");
    await().atMost(Duration.ofSeconds(15)).until(() -> get("/internal/health/readiness").statusCode() == 503
        && get("/internal/health/readiness").body().contains("\"reason\":\"backoff: "));
    HttpResponse<String> notReady = get("/internal/health/readiness");
    assertThat(notReady.body()).startsWith("{\"status\":\"OUT_OF_SERVICE\",\"reason\":\"backoff: ");
    assertThat(get("/internal/health/liveness").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      notes.addAll(receive());
      return notes.stream().anyMatch(n -> n.startsWith("STATUS=python service backoff: "));
    });

    // Serving again: ready, and systemd heard READY=1 once only.
    project.write("conf/config.json", "{\"v\": 2}");
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/internal/health/readiness").statusCode() == 200);
    host.signal("TERM");
    assertThat(host.awaitExit(Duration.ofSeconds(15))).isZero();
    notes.addAll(receive());
    assertThat(notes).filteredOn(n -> n.startsWith("READY=1")).hasSize(1);
    assertThat(notes).anyMatch(n -> n.startsWith("STOPPING=1\n"));
    assertThat(host.lines()).as("no JVM warnings").noneMatch(line -> line.startsWith("WARNING:")
        || line.contains("[cds") || line.toLowerCase(java.util.Locale.ROOT).contains("shared archive"));
    host = null;
  }

  @Test
  void inClusterModeItRegistersServesMetricsAndTakesALogbackXml() throws Exception {
    try (FakeConfigService service = FakeConfigService.start()) {
      project = PythonProject.in(dir.resolve("project")).withConf("dist-cluster", FreePort.find(),
          service.address(), "{}");
      project.write("conf/default_remote_config.json", "{\"greeting\":\"hello\"}");
      project.write("conf/remote_config_schema.json", "{\"type\":\"object\",\"required\":[\"greeting\"],"
          + "\"properties\":{\"greeting\":{\"type\":\"string\",\"minLength\":1}}}");
      project.write("conf/module.yml", "version: 1.2.3\nrequiredModules: [auth]\n"
          + "endpoints:\n  - {path: /api/dist-cluster/do, httpMethod: POST}\n");
      service.setActiveConfig("dist-cluster", "{\"greeting\":\"hi\"}");
      service.setAddresses("auth", "[{\"ip\":\"10.0.0.1\",\"port\":\"9001\"}]");
      Path logback = project.root().resolve("logback.xml");
      Files.writeString(logback, "<configuration><appender name=\"out\" "
          + "class=\"ch.qos.logback.core.ConsoleAppender\"><target>System.err</target><encoder>"
          + "<pattern>CUSTOM %level %msg%n</pattern></encoder></appender>"
          + "<root level=\"INFO\"><appender-ref ref=\"out\"/></root></configuration>");
      Map<String, String> environment = withoutJava(project.environment());
      environment.put("JAVA_OPTS", "-Dlogback.configurationFile=" + logback);
      host = LauncherProcess.run(List.of(dist.resolve("bin/isp-python-wrapper").toString()), project.root(),
          environment);

      service.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(15)).until(() -> !project.events("addresses").isEmpty());
      assertThat(project.events("addresses").get(0).get("module").asString()).isEqualTo("auth");
      HttpResponse<String> metrics = get("/internal/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("process_cpu_seconds_total")
          .contains("config_service_session_up 1.0");
      assertThat(get("/internal/health/readiness").statusCode()).isEqualTo(200);
      assertThat(host.lines()).anyMatch(line -> line.startsWith("CUSTOM INFO "));

      host.signal("TERM");
      assertThat(host.awaitExit(Duration.ofSeconds(15))).isZero();
      host = null;
    }
  }

  @Test
  void unpackedElsewhereItSaysItsCacheIsStaleUntilItMakesOneThere() throws Exception {
    Path unpacked = Files.createDirectories(dir.resolve("opt"));
    assertThat(run(List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString()), dir, Map.of(),
        Duration.ofMinutes(1)).code()).isZero();
    Path script = unpacked.resolve(dist.getFileName()).resolve("bin/isp-python-wrapper");
    Map<String, String> environment = withoutJava(System.getenv());

    Result printed = run(List.of(script.toString(), "--print-command"), dir, environment,
        Duration.ofSeconds(30));
    assertThat(printed.output()).contains("the class-data cache").contains("is not used: run `" + script
        + " --create-cache` once here").contains(unpacked.resolve(dist.getFileName()) + "/runtime/bin/java ");
    Result created = run(List.of(script.toString(), "--create-cache"),
        Files.createDirectories(dir.resolve("empty")), environment, Duration.ofMinutes(2));
    assertThat(created.code()).as(created.output()).isZero();

    project = PythonProject.in(dir.resolve("project")).withConf("moved-module", FreePort.find(), "127.0.0.1:9001",
        "{\"v\":1}");
    Map<String, String> hostEnvironment = withoutJava(project.environment());
    hostEnvironment.put("CLUSTER_MODE", "offline");
    hostEnvironment.put("JAVA_OPTS", "-Xshare:on");
    host = LauncherProcess.run(List.of(script.toString()), project.root(), hostEnvironment);
    awaitEvent("listening", 1);
    host.signal("TERM");
    assertThat(host.awaitExit(Duration.ofSeconds(15))).isZero();
    assertThat(host.lines()).noneMatch(line -> line.contains("class-data cache"));
    host = null;
  }

  private JsonNode awaitEvent(String name, int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events(name).size() >= count || !host.alive());
    assertThat(host.alive()).as(String.join("\n", host.lines())).isTrue();
    return project.events(name).get(count - 1);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + project.infraPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> receive() throws IOException {
    List<String> messages = new ArrayList<>();
    for (var message = NativeSockets.receive(systemd); message.isPresent(); message = NativeSockets.receive(systemd)) {
      messages.add(message.get());
    }
    return messages;
  }

  /** The detail of the first RUNNING status, which READY=1 carries. */
  private static String readyDetail(List<String> notes) {
    return notes.stream().filter(n -> n.startsWith("READY=1\nSTATUS=python service running: ")).findFirst()
        .map(n -> n.substring("READY=1\nSTATUS=python service running: ".length())).orElse("?");
  }

  private static List<String> environ(long pid) throws IOException {
    return List.of(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8)
        .split("\0"));
  }
}
