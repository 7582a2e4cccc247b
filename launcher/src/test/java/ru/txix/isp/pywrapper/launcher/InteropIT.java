package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;

/**
 * The launcher against the real implementation: {@code interop/} plays the config service with the published
 * ETP server and isp-kit's own types and checks every payload (see interop/main.go). Built by
 * {@code scripts/build-interop}; without Go, or with {@code -Dinterop=skip} ({@code INTEROP=skip make test}), this
 * test is skipped.
 */
@RealProcessTest
class InteropIT {
  private static final Path BINARY = Path.of("../interop/target/interop");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private Process interop;
  private LauncherProcess launcher;
  private PythonProject project;
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.close();
    }
    if (interop != null) {
      interop.destroyForcibly();
    }
    if (project != null) {
      project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void aSessionWithTheRealEtpServerAndIspKitTypesPassesEveryCheck() throws Exception {
    Assumptions.assumeFalse("skip".equals(System.getProperty("interop")),
        "-Dinterop=skip (INTEROP=skip make test): interop test skipped on purpose");
    Assumptions.assumeTrue(Files.isExecutable(BINARY),
        "interop/target/interop is not built (Go missing?): run scripts/build-interop — interop test skipped");
    CompletableFuture<Integer> port = new CompletableFuture<>();
    String first = ExactNumbersIT.CONFIG.replace("{\"pi\"", "{\"greeting\":\"from-go\",\"logLevel\":\"info\",\"pi\"");
    String changed = first.replace("from-go", "changed-by-go").replace("0.1,", "0.30000000000000000000000000001,");
    Path defaultConfig = dir.resolve("conf/default_remote_config.json");
    Path schema = dir.resolve("conf/remote_config_schema.json");
    interop = new ProcessBuilder(BINARY.toAbsolutePath().toString(), "-module", "interop-module",
        "-required", "isp-auth-service", "-timeout", "80s", "-config", first, "-changed", changed,
        "-expect-default", defaultConfig.toString(), "-expect-schema", schema.toString())
        .redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(interop.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.add(line);
          if (line.startsWith("LISTENING ")) {
            port.complete(Integer.parseInt(line.substring("LISTENING ".length()).strip()));
          }
        }
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    int servicePort = port.get(30, TimeUnit.SECONDS);

    int childPort = FreePort.find();
    project = PythonProject.in(dir).withConf("interop-module", childPort, "127.0.0.1:" + servicePort, "{}");
    project.write("conf/default_remote_config.json", ExactNumbersIT.CONFIG.replace("{\"pi\"",
        "{\"greeting\":\"default\",\"pi\""));
    project.write("conf/module.yml", """
        version: 1.4.0
        requiredModules: [isp-auth-service]
        endpoints:
          - path: /api/interop-module/do
            httpMethod: POST
            extra: { reqAdminPerm: do }
          - path: /internal/interop-module/sync
            httpMethod: GET
            inner: true
        """);
    project.write("conf/remote_config_schema.json", """
        {"type":"object","title":"Remote config","required":["greeting"],
         "properties":{"greeting":{"type":"string","minLength":1},
                       "logLevel":{"type":"string","enum":["debug","info","warn","error","fatal"]},
                       "pi":{"type":"number","maximum":1e400,"minimum":-3.14159265358979323846264338327950288}}}""");
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("remoteConfigOverride", ExactNumbersIT.OVERRIDE);
    launcher = LauncherProcess.start(LauncherOfflineIT.JAR, project.root(), environment, List.of());

    await().atMost(WAIT).until(() -> project.events("started").stream()
        .anyMatch(e -> e.get("config").path("greeting").asString().equals("changed-by-go")));
    ExactNumbersIT.assertSameValues(project.events("started").get(0).get("configText").asString(),
        first.replace("\"from the service\"", "\"overridden\""));
    ExactNumbersIT.assertSameValues(project.events("started").stream()
        .filter(e -> e.get("config").path("greeting").asString().equals("changed-by-go")).findFirst().orElseThrow()
        .get("configText").asString(), changed.replace("\"from the service\"", "\"overridden\""));
    await().atMost(WAIT).until(() -> project.events("addresses").stream()
        .anyMatch(e -> e.get("hosts").toString().equals("[\"10.0.0.7:9011\",\"[fd00::8]:9012\"]")));

    launcher.signal("TERM");
    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isZero();
    assertThat(interop.waitFor(20, TimeUnit.SECONDS)).isTrue();
    reader.join(5000);
    System.out.println(String.join("\n", output));
    assertThat(output).as(String.join("\n", output)).contains("PASS").noneMatch(l -> l.startsWith("FAIL"));
    assertThat(interop.exitValue()).isZero();
  }
}
