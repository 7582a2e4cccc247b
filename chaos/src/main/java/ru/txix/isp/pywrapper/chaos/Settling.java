package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ru.txix.isp.pywrapper.chaos.ServiceLog.Child;
import ru.txix.isp.pywrapper.chaos.ServiceLog.Proc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * What must agree once a segment's faults are undone: a host runs, its newest child is ready with the newest
 * valid config and the newest host list of each required module, no process of another child is alive, and
 * {@code /internal/health} and {@code /internal/supervisor} say the same as the processes. Asked every 250 ms by
 * {@link Segment} until it agrees or {@link Segment#SETTLE_BOUND} has passed.
 */
final class Settling {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Segment segment;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Settling(Segment segment) {
    this.segment = segment;
  }

  /** Empty when everything agrees, else what does not yet. */
  String unsettled(JsonNode lastValid, Map<String, String> lastHosts, boolean sentInvalidSinceValid) {
    Host current = segment.host;
    if (current == null || !current.alive()) {
      return "no host runs";
    }
    Optional<Child> found = segment.log.current(current.pid());
    if (found.isEmpty()) {
      return "no child of " + current + " alive";
    }
    Child child = found.get();
    if (!(segment.profile.overlap() ? child.notified != null : child.isListening())) {
      return child + " not ready";
    }
    if (!child.config.equals(lastValid)) {
      return child + " runs config " + child.config.path("v") + ", the newest valid one is v"
          + lastValid.get("v").asInt() + " (or differs from it)";
    }
    for (Map.Entry<String, String> expected : lastHosts.entrySet()) {
      JsonNode want = expectedHosts(expected.getValue());
      Optional<JsonNode> got = child.lastHosts(expected.getKey());
      if (got.isEmpty() || !got.get().equals(want)) {
        return child + " has host list " + got.map(JsonNode::toString).orElse("(none)") + " for "
            + expected.getKey() + ", the newest is " + want;
      }
    }
    List<String> strays = new ArrayList<>();
    for (Child other : segment.log.children()) {
      if (other != child) {
        other.processes().stream().filter(Proc::alive).forEach(p -> strays.add(p + " of " + other));
      }
    }
    if (!strays.isEmpty()) {
      return "processes of other children alive: " + strays;
    }
    try {
      HttpResponse<String> health = get("/internal/health");
      JsonNode supervisor = JSON.readTree(get("/internal/supervisor").body());
      // remoteConfig fails while the last config the host received was rejected (an invalid one just before the
      // faults stopped): health must say so, and only that.
      boolean rejected = lastDecisionRejected(current);
      if (rejected && !sentInvalidSinceValid) {
        return "the host's last remote config decision is a rejection, but no invalid config was sent after the "
            + "newest valid one";
      }
      JsonNode details = JSON.readTree(health.body()).path("details");
      for (String component : List.of("configServiceConnection", "remoteConfig", "pythonProcess")) {
        String status = details.path(component).path(0).path("status").asString("");
        String expected = component.equals("remoteConfig") && rejected ? "fail" : "pass";
        if (!(status.equals(expected) || (status.isEmpty() && !segment.profile.cluster()
            && component.equals("configServiceConnection")))) {
          return "/internal/health: " + component + " is " + status + ", expected " + expected + ": "
              + health.body();
        }
      }
      if (health.statusCode() != (rejected ? 500 : 200)) {
        return "/internal/health answers " + health.statusCode() + ": " + health.body();
      }
      if (supervisor.path("remoteConfig").path("lastValid").asBoolean() == rejected) {
        return "/internal/supervisor: remoteConfig.lastValid is " + supervisor.path("remoteConfig").path("lastValid")
            + ", the host's last decision was " + (rejected ? "a rejection" : "an acceptance");
      }
      if (!supervisor.path("state").asString().equals("RUNNING")) {
        return "/internal/supervisor says " + supervisor.path("state").asString();
      }
      if (supervisor.path("pid").asLong() != child.uv.pid()
          || supervisor.path("pythonPid").asLong() != child.python.pid()) {
        return "/internal/supervisor names pid " + supervisor.path("pid") + " and pythonPid "
            + supervisor.path("pythonPid") + ", the child's are " + child.uv.pid() + " and " + child.python.pid();
      }
      for (JsonNode process : supervisor.path("processes")) {
        if (!Signals.alive(process.path("pid").asLong())) {
          return "/internal/supervisor lists process " + process + ", which is gone";
        }
      }
      if (segment.profile.cluster() && !supervisor.path("configService").path("sessionActive").asBoolean()) {
        return "/internal/supervisor: the config-service session is not active";
      }
    } catch (IOException | RuntimeException e) {
      return "the infra server does not answer: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    return "";
  }

  /** Whether the last remote config the host decided on (its log says) was rejected. */
  private static boolean lastDecisionRejected(Host host) throws IOException {
    boolean rejected = false;
    for (String line : Files.readAllLines(host.log, StandardCharsets.UTF_8)) {
      if (line.contains("\"message\":\"remote config accepted")) {
        rejected = false;
      } else if (line.contains("\"message\":\"remote config rejected")) {
        rejected = true;
      }
    }
    return rejected;
  }

  private static JsonNode expectedHosts(String pushed) {
    ArrayNode hosts = JSON.createArrayNode();
    JSON.readTree(pushed).forEach(h -> hosts.add(h.get("ip").asString() + ":" + h.get("port").asString()));
    return hosts;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + segment.project.infraPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
