package ru.txix.isp.pywrapper.http;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The components of {@code /internal/health} and their combined result in isp-kit's shape:
 * {@code {"status":"pass|fail","details":{"<name>":[{"componentName","componentType":"component","status",
 * "output" (only when failing),"time"}]}}}. A result is reused for one second, as isp-kit does.
 *
 * <p>Thread-safe.
 */
public final class HealthRegistry {
  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  private static final Duration CACHE = Duration.ofSeconds(1);
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);

  /** A combined result: {@code healthy} and the JSON body. */
  public record Result(boolean healthy, String body, Instant at) {
  }

  private final Clock clock;
  private final Map<String, HealthCheck> checks = new LinkedHashMap<>();
  private Result last;

  public HealthRegistry(Clock clock) {
    this.clock = clock;
  }

  public synchronized HealthRegistry register(String name, HealthCheck check) {
    checks.put(requireNonNull(name, "name"), requireNonNull(check, "check"));
    last = null;
    return this;
  }

  /** The current result, computed at most once a second. */
  public synchronized Result result() {
    Instant now = clock.instant();
    if (last != null && now.isBefore(last.at().plus(CACHE))) {
      return last;
    }
    boolean healthy = true;
    ObjectNode details = JsonValues.object();
    for (Map.Entry<String, HealthCheck> entry : checks.entrySet()) {
      Optional<String> failure;
      try {
        failure = entry.getValue().check();
      } catch (RuntimeException e) {
        failure = Optional.of("check failed: " + e);
      }
      healthy &= failure.isEmpty();
      ObjectNode detail = JsonValues.object()
          .put("componentName", entry.getKey())
          .put("componentType", "component")
          .put("status", failure.isEmpty() ? PASS : FAIL);
      failure.ifPresent(output -> detail.put("output", output));
      detail.put("time", goTime(clock.instant()));
      ArrayNode list = details.putArray(entry.getKey());
      list.add(detail);
    }
    ObjectNode body = JsonValues.object().put("status", healthy ? PASS : FAIL);
    body.set("details", details);
    last = new Result(healthy, JsonValues.text(body) + "\n", now);
    return last;
  }

  /** isp-kit's time format {@code 2006-01-02T15:04:05.999Z07:00}: milliseconds without trailing zeros. */
  static String goTime(Instant instant) {
    String millis = String.format("%03d", instant.getNano() / 1_000_000).replaceAll("0+$", "");
    return SECONDS.format(instant) + (millis.isEmpty() ? "" : "." + millis) + "Z";
  }
}
