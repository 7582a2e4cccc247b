package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static ru.txix.isp.pywrapper.launcher.Distribution.run;
import static ru.txix.isp.pywrapper.launcher.Distribution.withoutJava;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import ru.txix.isp.pywrapper.http.InfraHttpServer;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;

/**
 * The deployment kit in {@code deploy/}: with no Docker daemon or cluster at hand, each file is checked against what
 * it refers to — the distribution's layout, the example service whose ports it uses, the host's endpoints — and its
 * health check and probes are run against a real host started from the distribution.
 */
@RealProcessTest
class DeployKitIT {
  private static final Path DEPLOY = Path.of("../deploy");
  private static final Path EXAMPLE = Path.of("../examples/fastapi-service");
  /** Where the kit puts the distribution (its folder's contents, without the versioned top folder). */
  private static final String INSTALLED = "/opt/isp-python-wrapper/";

  private static Distribution dist;
  private static List<String> dockerfile;

  @TempDir
  Path dir;

  private LauncherProcess host;
  private PythonProject project;

  @BeforeAll
  static void kit() throws Exception {
    dist = Distribution.made();
    dockerfile = instructions(Files.readString(DEPLOY.resolve("Dockerfile")));
  }

  @AfterEach
  void tearDown() {
    if (host != null) {
      host.close();
    }
    if (project != null) {
      project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void theDockerfileBuildsInStagesSyncsWithUvRunsTheDistributionAsAUserAndNeedsNoInitNorCurl() throws Exception {
    assertThat(dockerfile.stream().filter(line -> line.startsWith("FROM "))).as("stages").hasSizeGreaterThan(2);
    assertThat(dockerfile).anyMatch(line -> line.startsWith("RUN ") && line.contains("uv sync --locked --no-dev"));
    // The build context is the Python project: what the Dockerfile copies from it exists in one.
    for (String line : dockerfile) {
      if (line.startsWith("COPY ") && !line.startsWith("COPY --from")) {
        String[] parts = line.substring(5).trim().split("\\s+");
        for (int i = 0; i < parts.length - 1; i++) {
          if (parts[i].startsWith("dist/")) {
            String name = parts[i].substring("dist/".length());
            assertThat(FileSystems.getDefault().getPathMatcher("glob:" + name).matches(dist.archive().getFileName()))
                .as("%s matches the archive %s", parts[i], dist.archive().getFileName()).isTrue();
          } else if (!parts[i].equals(".")) {
            assertThat(EXAMPLE.resolve(parts[i])).as("in a project like %s", EXAMPLE).exists();
          }
        }
      }
    }
    assertThat(dockerfile).anyMatch(line -> line.contains("--strip-components=1") && line.contains(INSTALLED
        .substring(0, INSTALLED.length() - 1)));
    for (String path : installedPaths(String.join("\n", dockerfile))) {
      assertThat(dist.folder().resolve(path)).as(INSTALLED + path + " in the distribution").exists();
    }
    assertThat(lastValue("CMD")).isEqualTo("[\"" + INSTALLED + "bin/isp-python-wrapper\"]");

    String user = lastValue("USER");
    assertThat(user).isNotIn("root", "0", "");
    String all = String.join("\n", dockerfile).toLowerCase(java.util.Locale.ROOT);
    assertThat(all).doesNotContain("tini").doesNotContain("dumb-init").doesNotContain("curl ").doesNotContain("wget");
    Map<String, String> env = env();
    assertThat(env).containsEntry("UV_NO_SYNC", "1").containsEntry("grpcInnerAddress.ip", "0.0.0.0");
    assertThat(lastValue("EXPOSE").split("\\s+")).containsExactly(exampleKey("grpcInnerAddress", "port"),
        env.get("infraServerPort"));
    assertThat(env.get("infraServerPort")).isEqualTo(exampleKey(null, "infraServerPort"));
  }

  @Test
  void theDockerHealthCheckPassesAgainstALiveHostAndFailsWithoutOne() throws Exception {
    String healthCheck = lastValue("HEALTHCHECK");
    Matcher command = Pattern.compile("CMD \\[\"/bin/bash\", \"-c\", \"(.*)\"\\]$").matcher(healthCheck);
    assertThat(command.find()).as(healthCheck).isTrue();
    String script = command.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    assertThat(script).contains(InfraHttpServer.LIVENESS_PATH);

    int infraPort = startHost();
    Map<String, String> environment = Map.of("PATH", "/usr/bin:/bin", "infraServerPort", Integer.toString(infraPort));
    assertThat(run(List.of("/bin/bash", "-c", script), dir, environment, Duration.ofSeconds(10)).code())
        .as("healthy").isZero();

    host.signal("TERM");
    assertThat(host.awaitExit(Duration.ofSeconds(15))).isZero();
    host = null;
    assertThat(run(List.of("/bin/bash", "-c", script), dir, environment, Duration.ofSeconds(10)).code())
        .as("no host").isNotZero();
  }

  @Test
  void theKubernetesDeploymentProbesTheHostsEndpointsAndWaitsLongEnoughForAStop() throws Exception {
    Map<String, Object> deployment = yaml(DEPLOY.resolve("kubernetes/deployment.yaml"));
    Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
    Map<String, Object> container = list(pod, "containers").get(0);

    Map<String, Integer> ports = new LinkedHashMap<>();
    list(container, "ports").forEach(port -> ports.put((String) port.get("name"), (Integer) port.get("containerPort")));
    assertThat(ports).containsEntry("http", Integer.parseInt(exampleKey("grpcInnerAddress", "port")))
        .containsEntry("infra", Integer.parseInt(exampleKey(null, "infraServerPort")));
    Map<String, String> probes = new LinkedHashMap<>();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Map<String, Object> get = map(map(container, probe), "httpGet");
      assertThat(get.get("port")).as(probe).isEqualTo("infra");
      probes.put(probe, (String) get.get("path"));
    }
    assertThat(probes).containsEntry("livenessProbe", InfraHttpServer.LIVENESS_PATH)
        .containsEntry("readinessProbe", InfraHttpServer.READINESS_PATH);

    long grace = ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
    // a stop: the session's close (at most 1 s), then the child's (SIGTERM, SIGKILL after the stop timeout)
    assertThat(grace).isGreaterThanOrEqualTo(SupervisorSettings.DEFAULTS.stopTimeout().plusSeconds(1 + 5)
        .toSeconds());
    assertThat(map(pod, "securityContext").get("runAsUser").toString()).isEqualTo(lastValue("USER"));

    int infraPort = startHost();
    HttpClient http = HttpClient.newHttpClient();
    for (Map.Entry<String, String> probe : probes.entrySet()) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + infraPort
          + probe.getValue())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("%s %s on a serving host", probe.getKey(), probe.getValue())
          .isEqualTo(200);
    }
  }

  @Test
  void theSystemdUnitIsTypeNotifyAndStartsTheDistributionsScript() throws Exception {
    Map<String, String> service = new LinkedHashMap<>();
    boolean inService = false;
    for (String line : Files.readAllLines(DEPLOY.resolve("systemd/my-module.service"))) {
      if (line.startsWith("[")) {
        inService = line.equals("[Service]");
      } else if (inService && line.contains("=") && !line.startsWith("#")) {
        service.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    assertThat(service).containsEntry("Type", "notify").containsEntry("NotifyAccess", "main")
        .containsEntry("KillMode", "mixed").containsKey("WatchdogSec");
    String start = service.get("ExecStart");
    assertThat(start).startsWith(INSTALLED);
    assertThat(dist.folder().resolve(start.substring(INSTALLED.length()))).isExecutable();
    assertThat(seconds(service.get("TimeoutStopSec"))).isGreaterThanOrEqualTo(
        SupervisorSettings.DEFAULTS.stopTimeout().plusSeconds(1 + 5).toSeconds());
  }

  /** Starts the distribution on the fixture service (offline mode) until the child serves; its infra port. */
  private int startHost() throws Exception {
    project = PythonProject.in(dir.resolve("project")).withConf("kit-module", FreePort.find(), "127.0.0.1:9001",
        "{\"v\":1}");
    Map<String, String> environment = withoutJava(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    host = LauncherProcess.run(List.of(dist.folder().resolve("bin/isp-python-wrapper").toString()), project.root(),
        environment);
    HttpClient http = HttpClient.newHttpClient();
    URI readiness = URI.create("http://127.0.0.1:" + project.infraPort() + InfraHttpServer.READINESS_PATH);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      assertThat(host.alive()).as(String.join("\n", host.lines())).isTrue();
      try {
        return http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200;
      } catch (java.io.IOException e) {
        return false;
      }
    });
    return project.infraPort();
  }

  /** The Dockerfile's instructions, continuation lines joined, comments left out. */
  /** The Dockerfile's instructions, one per line: comments and blank lines left out, continued lines joined. */
  static List<String> instructions(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("#") || line.isBlank()) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        lines.add(current.append(line).toString().strip());
        current.setLength(0);
      }
    }
    return lines;
  }

  private static String lastValue(String instruction) {
    return dockerfile.stream().filter(line -> line.startsWith(instruction + " "))
        .reduce((first, second) -> second).map(line -> line.substring(instruction.length() + 1).strip())
        .orElseThrow(() -> new AssertionError("no " + instruction + " in the Dockerfile"));
  }

  /** The last stage's ENV settings. */
  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : dockerfile) {
      if (line.startsWith("FROM ")) {
        env.clear();
      } else if (line.startsWith("ENV ")) {
        for (String pair : line.substring(4).trim().split("\\s+")) {
          env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
      }
    }
    return env;
  }

  /** The paths under /opt/isp-python-wrapper/ that {@code text} names. */
  private static List<String> installedPaths(String text) {
    Matcher matcher = Pattern.compile(Pattern.quote(INSTALLED) + "([\\w./-]+)").matcher(text);
    List<String> paths = new ArrayList<>();
    while (matcher.find()) {
      paths.add(matcher.group(1));
    }
    assertThat(paths).isNotEmpty();
    return paths;
  }

  /** A key of the example's conf/config.yml: top level, or in {@code section}. */
  @SuppressWarnings("unchecked")
  private static String exampleKey(String section, String key) throws Exception {
    Map<String, Object> config = yaml(EXAMPLE.resolve("conf/config.yml"));
    Object value = section == null ? config.get(key) : ((Map<String, Object>) config.get(section)).get(key);
    return String.valueOf(value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws Exception {
    return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(List.class);
    return ((List<Object>) value).stream().map(item -> (Map<String, Object>) item).collect(Collectors.toList());
  }

  private static long seconds(String duration) {
    return Long.parseLong(duration.replaceAll("s$", ""));
  }
}
