package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.CompanionPackage;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FakeConfigService.Received;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code examples/fastapi-service} under the launcher in cluster mode against the config-service double: it is
 * registered with its endpoints, answers its endpoint and receives the addresses of its required module. The
 * first run installs FastAPI and uvicorn from PyPI ({@code uv} syncs the committed lock).
 */
@RealProcessTest
class FastApiExampleIT {
  private static final Path EXAMPLE = Path.of("../examples/fastapi-service");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  private final FakeConfigService service = FakeConfigService.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private LauncherProcess launcher;

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.signal("TERM");
      launcher.awaitExit(Duration.ofSeconds(20));
      launcher.close();
    }
    service.close();
  }

  @Test
  @Timeout(300)
  void exampleServiceRegistersAnswersItsEndpointAndReceivesAddresses() throws Exception {
    Path project = copyExample();
    int port = FreePort.find();
    int infraPort = FreePort.find();
    service.setAddresses("isp-auth-service", "[{\"ip\":\"10.0.0.1\",\"port\":\"9003\"}]");
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.put("PATH", Uv.path());
    environment.put("configServiceAddress.port", Integer.toString(service.port()));
    environment.put("grpcInnerAddress.port", Integer.toString(port));
    environment.put("grpcOuterAddress.port", Integer.toString(port));
    environment.put("infraServerPort", Integer.toString(infraPort));
    environment.put("python.readinessTimeout", "240s");
    environment.put("UV_PYTHON_DOWNLOADS", "never");
    launcher = LauncherProcess.start(LauncherOfflineIT.JAR, project, environment, List.of());

    Received ready = service.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(240));
    assertThat(ready.json().get("moduleName").asString()).isEqualTo("fastapi-service");
    assertThat(ready.json().get("endpoints")).hasSize(2);
    assertThat(ready.json().get("requiredModules")).isEqualTo(
        JSON.readTree("[{\"name\":\"isp-auth-service\",\"required\":true}]"));

    HttpResponse<String> greet = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/fastapi-service/greet")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"World\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(greet.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(greet.body()).get("message").asString()).isEqualTo("Hello, World!");

    await().atMost(Duration.ofSeconds(30)).until(() -> info(port).get("moduleAddresses")
        .path("isp-auth-service").toString().equals("[\"10.0.0.1:9003\"]"));
    service.pushAddresses("isp-auth-service", "[{\"ip\":\"10.0.0.2\",\"port\":\"9003\"}]");
    await().atMost(Duration.ofSeconds(30)).until(() -> info(port).get("moduleAddresses")
        .path("isp-auth-service").toString().equals("[\"10.0.0.2:9003\"]"));
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + infraPort + "/internal/health"))
        .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  private JsonNode info(int port) {
    try {
      return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/api/fastapi-service/info")).build(), HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The example's committed files (no .venv, no runtime config) into the test's folder, as {@code
   * examples/fastapi-service} beside the companion package it depends on by path; returns the example's folder.
   */
  private Path copyExample() throws IOException {
    CompanionPackage.copyInto(dir);
    Path project = dir.resolve("examples/fastapi-service");
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path relative = EXAMPLE.relativize(source);
        if (relative.toString().startsWith(".venv") || relative.toString().contains("__pycache__")
            || relative.toString().equals("config.json") || relative.toString().startsWith(".pywrapper")) {
          continue;
        }
        Path target = project.resolve(relative.toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    return project;
  }
}
