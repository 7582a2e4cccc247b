package ru.txix.isp.pywrapper.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.ProcessChecks;
import ru.txix.isp.pywrapper.testing.PythonProject;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One fault scenario's world: the fixture Python project, config-service doubles, launcher processes (the
 * jar, with the recommended JVM flags) and probes. {@link #close()} removes every process it started.
 */
final class Scenario implements AutoCloseable {
  static final Path JAR = Path.of("../launcher/target/isp-python-wrapper.jar");
  static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xmn1m",
      "-XX:TieredStopAtLevel=1");
  static final String MODULE = "fault-module";
  private static final Path SUMMARY = Path.of("target/fault-summary.txt");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  final int port = FreePort.find();
  final PythonProject project;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<LauncherProcess> launchers = new ArrayList<>();
  private final List<FakeConfigService> services = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Map<String, String> environment = new HashMap<>();

  Scenario(Path dir, String configServices, String offlineConfig) {
    this(PythonProject.in(dir), configServices, offlineConfig);
  }

  private Scenario(PythonProject project, String configServices, String offlineConfig) {
    this.project = project.withConf(MODULE, port, configServices, offlineConfig);
    project.write("conf/default_remote_config.json", "{\"v\":0}");
  }

  /**
   * A scenario running one of the repository's examples (e.g. {@code examples/hello-service}, with the companion
   * package it depends on) instead of the fixture.
   */
  static Scenario example(Path dir, String example, String offlineConfig) {
    return new Scenario(PythonProject.copyOfExample(example, dir), "127.0.0.1:9001", offlineConfig);
  }

  /** A scenario running a service built on the companion package ({@link PythonProject#packageService}). */
  static Scenario packageService(Path dir, String offlineConfig) {
    return new Scenario(PythonProject.packageService(dir), "127.0.0.1:9001", offlineConfig);
  }

  /** A scenario whose config services are {@code services} (started by the caller). */
  static Scenario cluster(Path dir, FakeConfigService... services) {
    List<String> ips = new ArrayList<>();
    List<String> ports = new ArrayList<>();
    for (FakeConfigService service : services) {
      ips.add("127.0.0.1");
      ports.add(Integer.toString(service.port()));
    }
    Scenario scenario = new Scenario(dir, "127.0.0.1:9001", "{}");
    scenario.environment.put("configServiceAddress.ip", String.join(";", ips));
    scenario.environment.put("configServiceAddress.port", String.join(";", ports));
    scenario.services.addAll(List.of(services));
    return scenario;
  }

  void requireModule(String module) {
    project.write("conf/module.yml", "requiredModules: [" + module + "]\n");
  }

  LauncherProcess start(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(project.environment());
    all.putAll(environment);
    all.putAll(extra);
    LauncherProcess launcher = LauncherProcess.start(JAR, project.root(), all, JVM_FLAGS);
    launchers.add(launcher);
    return launcher;
  }

  ChildProber probe() {
    ChildProber prober = new ChildProber(port);
    closeables.add(prober);
    return prober;
  }

  void track(FakeConfigService service) {
    services.add(service);
  }

  /** GET on the infra server: the status, or -1 while it does not answer. */
  int status(String path) {
    try {
      return get(path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + project.infraPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status of one health component: "pass", "fail" or "" while the server does not answer. */
  String component(String name) {
    try {
      JsonNode body = JSON.readTree(get("/internal/health").body());
      return body.path("details").path(name).path(0).path("status").asString("");
    } catch (Exception e) {
      return "";
    }
  }

  void replaceOfflineConfig(String content) {
    try {
      Path temp = project.root().resolve("conf/config.json.tmp");
      Files.writeString(temp, content);
      Files.move(temp, project.root().resolve("conf/config.json"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Prints the scenario's one summary line and keeps it in target/fault-summary.txt. */
  static void summary(String line) {
    String text = "FAULT " + line;
    System.out.println(text);
    try {
      Files.createDirectories(SUMMARY.getParent());
      Files.writeString(SUMMARY, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pids recorded by the fixture that are still alive (zombies count as gone). */
  List<Long> survivors() {
    return ProcessChecks.aliveOf(project.recordedPids());
  }

  /** Keeps each launcher's output (the host's log and the child's) in target/fault-logs/, for failed runs. */
  private void keepLogs() {
    try {
      Path logs = Files.createDirectories(Path.of("target/fault-logs"));
      for (int i = 0; i < launchers.size(); i++) {
        Path output = project.root().resolve("launcher.out");
        if (Files.exists(output)) {
          Files.copy(output, logs.resolve(project.root().getParent().getFileName() + "-"
              + project.root().getFileName() + "-" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }

  @Override
  public void close() {
    keepLogs();
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        // keep cleaning
      }
    }
    launchers.forEach(LauncherProcess::close);
    project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    services.forEach(FakeConfigService::close);
  }
}
