package ru.txix.isp.pywrapper.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.LoadGenerator;
import ru.txix.isp.pywrapper.testing.LoadGenerator.Result;
import tools.jackson.databind.JsonNode;

/**
 * A service built on the companion package ({@code python/}: {@code isp_wrapper.serve(app)}, uvicorn) under the
 * real host: what the package promises a service — READY=1 once serving, and on SIGTERM a drain that finishes the
 * requests in flight — with slow requests (300 ms) in flight at the SIGTERMs. The service is the fixture
 * {@code src/test/resources/package-service} of the library's tests; it records each SIGTERM with the number of
 * slow requests it was serving then.
 */
@Tag("process")
@TestMethodOrder(MethodOrderer.MethodName.class)
class PythonPackageIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int CHANGES = 20;

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(180)
  void s24OverlapTwentyConfigChangesWithSlowRequestsInFlightAtEverySigtermFailNoRequest() throws Exception {
    try (Scenario s = Scenario.packageService(dir, config(0, 0.3))) {
      s.start(Map.of("CLUSTER_MODE", "offline", "python.socket", "inherit", "python.readiness", "notify",
          "python.configRestartInterval", "0s"));
      await().atMost(WAIT).until(() -> s.project.events("ready").size() == 1);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));

      List<Result> fast;
      List<Result> slow;
      try (LoadGenerator fastLoad = LoadGenerator.start(s.port, "/", 200, REQUEST_TIMEOUT);
           LoadGenerator slowLoad = LoadGenerator.start(s.port, "/slow", 40, REQUEST_TIMEOUT)) {
        Thread.sleep(1500);
        for (int v = 1; v <= CHANGES; v++) {
          s.replaceOfflineConfig(config(v, 0.3));
          int count = v;
          await().atMost(WAIT).until(() -> s.project.events("ready").size() == count + 1
              && s.project.events("sigterm").size() == count);
        }
        Thread.sleep(1000);
        fastLoad.close();
        slowLoad.close();
        fast = fastLoad.results();
        slow = slowLoad.results();
      }

      List<Result> all = new ArrayList<>(fast);
      all.addAll(slow);
      assertThat(all.stream().filter(r -> !r.ok()).map(Result::outcome).toList())
          .as("failed requests through %d overlapped restarts", CHANGES).isEmpty();
      List<Integer> inFlight = s.project.events("sigterm").stream().map(e -> e.get("slowInFlight").asInt()).toList();
      assertThat(inFlight).as("slow requests being served by each old child at its SIGTERM").hasSize(CHANGES)
          .allMatch(n -> n >= 1);
      assertThat(s.project.events("stopped")).as("every old child's serve() returned after its drain")
          .hasSize(CHANGES);
      Scenario.summary("24 service on isp_wrapper (uvicorn), inherit + notify, " + CHANGES + " config changes under "
          + "200 requests/s and 40 slow (300 ms) requests/s: " + all.size() + " requests (" + slow.size()
          + " slow), 0 failed; slow requests in flight at every SIGTERM " + inFlight + "; p99 "
          + Math.round(LoadGenerator.percentile(fast, 99)) + " ms (fast), "
          + Math.round(LoadGenerator.percentile(slow, 99)) + " ms (slow)");
    }
  }

  @Test
  @Timeout(120)
  void s25BindModeASigtermDuringASlowRequestLetsItFinish() throws Exception {
    try (Scenario s = Scenario.packageService(dir, config(1, 2.0))) {
      LauncherProcess host = s.start(Map.of("CLUSTER_MODE", "offline", "python.configRestartInterval", "0s"));
      await().atMost(WAIT).until(() -> s.project.events("ready").size() == 1);
      await().atMost(WAIT).until(() -> s.component("pythonProcess").equals("pass"));
      long first = s.project.events("started").get(0).get("pid").asLong();

      CompletableFuture<HttpResponse<String>> acrossRestart = slowRequest(s);
      await().atMost(WAIT).until(() -> s.project.events("slow-started").size() == 1);
      long changed = System.nanoTime();
      s.replaceOfflineConfig(config(2, 2.0)); // the first child gets SIGTERM 2 s before its answer is due
      HttpResponse<String> answer = acrossRestart.get(20, TimeUnit.SECONDS);
      long answeredAfter = (System.nanoTime() - changed) / 1_000_000;

      assertThat(answer.statusCode()).isEqualTo(200);
      JsonNode body = JsonNodes.readTree(answer.body());
      assertThat(body.get("pid").asLong()).isEqualTo(first);
      assertThat(body.get("v").asInt()).isEqualTo(1);
      await().atMost(WAIT).until(() -> s.project.events("ready").size() == 2);
      assertThat(s.project.events("sigterm", e -> e.get("pid").asLong() == first)).singleElement()
          .satisfies(e -> assertThat(e.get("slowInFlight").asInt()).isEqualTo(1));
      assertThat(s.project.events("stopped", e -> e.get("pid").asLong() == first)).hasSize(1);

      CompletableFuture<HttpResponse<String>> acrossStop = slowRequest(s);
      await().atMost(WAIT).until(() -> s.project.events("slow-started").size() == 2);
      host.signal("TERM");
      HttpResponse<String> last = acrossStop.get(20, TimeUnit.SECONDS);

      assertThat(last.statusCode()).isEqualTo(200);
      assertThat(JsonNodes.readTree(last.body()).get("v").asInt()).isEqualTo(2);
      assertThat(host.awaitExit(Duration.ofSeconds(30))).isZero();
      List<Integer> codes = host.logs(l -> l.has("exitCode") && l.has("pid")).stream().map(l -> l.get("exitCode").asInt()).toList();
      assertThat(codes).as("exit codes of both children").containsExactly(0, 0);
      Scenario.summary("25 service on isp_wrapper (uvicorn), python.socket bind: a SIGTERM during a 2 s request "
          + "(config change, then the host's stop) let it finish: both answered 200 in full (the first "
          + answeredAfter + " ms after the change), both children exited 0");
    }
  }

  private CompletableFuture<HttpResponse<String>> slowRequest(Scenario s) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port + "/slow"))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String config(int v, double slowSeconds) {
    return "{\"v\":" + v + ",\"slowSeconds\":" + slowSeconds + "}";
  }
}
