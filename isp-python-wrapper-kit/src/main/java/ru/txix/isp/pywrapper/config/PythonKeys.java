package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;

/**
 * This library's own section of the local config, {@code python.*}: its keys, their defaults, and the check
 * that every key under {@code python.} is one of them (a typo stops the start with the nearest known key, e.g.
 * {@code python.restartDelai: unknown key (did you mean restartDelay?)}). isp-kit's own keys outside
 * {@code python.} stay tolerant, as in isp-kit.
 */
final class PythonKeys {
  static final String PREFIX = "python.";

  /** The built-in values. */
  static final LocalConfig.PythonSettings DEFAULTS = new LocalConfig.PythonSettings("uv", List.of(),
      Duration.ofSeconds(60), SupervisorSettings.DEFAULTS, false, false);
  private static final String LIVENESS = "liveness";

  /** Known keys below {@code python.}, as documented; a key with children maps to them. */
  private static final Map<String, Set<String>> KNOWN = known();

  private PythonKeys() {
  }

  private static Map<String, Set<String>> known() {
    Map<String, Set<String>> known = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String key : List.of("uv", "uvArgs", "restartDelay", "restartDelayMax", "backoffResetAfter", "maxRestarts",
        "startRetryDelay", "stopTimeout", "configRestartInterval", "readinessTimeout", "startTimeout",
        "startTimeoutAction", "socket", "readiness")) {
      known.put(key, Set.of());
    }
    known.put(LIVENESS, Set.of("path", "period", "timeout", "failureThreshold"));
    return known;
  }

  /** Records a problem for every key under {@code python.} that is not known. */
  static void checkKnown(FlatConfig config) {
    for (String key : config.keys()) {
      if (!key.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        continue;
      }
      String[] segments = key.substring(PREFIX.length()).split("\\.");
      String first = segments[0];
      if (!KNOWN.containsKey(first)) {
        config.problem(PREFIX + first, unknown(first, KNOWN.keySet()));
        continue;
      }
      Set<String> children = KNOWN.get(first);
      if (!children.isEmpty() && segments.length > 1 && children.stream().noneMatch(segments[1]::equalsIgnoreCase)) {
        config.problem(PREFIX + first + "." + segments[1], unknown(segments[1], children));
      }
    }
  }

  /** The {@code python.*} settings: the file and the environment, else {@code defaults}. */
  static LocalConfig.PythonSettings read(FlatConfig config, LocalConfig.PythonSettings defaults) {
    SupervisorSettings base = defaults.supervisor();
    SupervisorSettings.Liveness liveness = base.liveness();
    String path = config.string("python.liveness.path").map(String::strip).filter(p -> !p.isEmpty())
        .orElse(liveness.path());
    if (path != null && !path.startsWith("/")) {
      config.problem("python.liveness.path", "must start with /, got \"" + path + "\"");
      path = null;
    }
    Duration period = positive(config, "python.liveness.period", liveness.period());
    Duration timeout = positive(config, "python.liveness.timeout", liveness.timeout());
    int threshold = config.nonNegativeInteger("python.liveness.failureThreshold").orElse(liveness.failureThreshold());
    if (threshold < 1) {
      config.problem("python.liveness.failureThreshold", "must be at least 1, got " + threshold);
      threshold = liveness.failureThreshold();
    }
    SupervisorSettings supervisor = base.toBuilder()
        .restartDelay(config.duration("python.restartDelay").orElse(base.restartDelay()))
        .restartDelayMax(config.duration("python.restartDelayMax").orElse(base.restartDelayMax()))
        .backoffResetAfter(config.duration("python.backoffResetAfter").orElse(base.backoffResetAfter()))
        .maxRestarts(config.nonNegativeInteger("python.maxRestarts").orElse(base.maxRestarts()))
        .startRetryDelay(config.duration("python.startRetryDelay").orElse(base.startRetryDelay()))
        .stopTimeout(config.duration("python.stopTimeout").orElse(base.stopTimeout()))
        .configRestartInterval(config.duration("python.configRestartInterval").orElse(base.configRestartInterval()))
        .startTimeout(config.duration("python.startTimeout").orElse(base.startTimeout()))
        .startTimeoutAction(config.choice("python.startTimeoutAction", List.of("warn", "restart"))
            .map(action -> SupervisorSettings.StartTimeoutAction.valueOf(action.toUpperCase(Locale.ROOT)))
            .orElse(base.startTimeoutAction()))
        .liveness(new SupervisorSettings.Liveness(path, period, timeout, threshold))
        .build();
    return new LocalConfig.PythonSettings(
        config.string("python.uv").filter(s -> !s.isBlank()).map(String::strip).orElse(defaults.uv()),
        config.list("python.uvArgs").orElse(defaults.uvArgs()),
        config.duration("python.readinessTimeout").orElse(defaults.readinessTimeout()),
        supervisor,
        config.choice("python.socket", List.of("bind", "inherit")).map("inherit"::equals)
            .orElse(defaults.inheritSocket()),
        config.choice("python.readiness", List.of("connect", "notify")).map("notify"::equals)
            .orElse(defaults.notifyReadiness()));
  }

  private static Duration positive(FlatConfig config, String key, Duration fallback) {
    Duration value = config.duration(key).orElse(fallback);
    if (value.isZero()) {
      config.problem(key, "must be more than 0");
      return fallback;
    }
    return value;
  }

  private static String unknown(String key, Set<String> known) {
    String nearest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < best) {
        best = distance;
        nearest = candidate;
      }
    }
    boolean close = nearest != null && best <= Math.max(2, nearest.length() / 3);
    return "unknown key" + (close ? " (did you mean " + nearest + "?)"
        : " (known: " + String.join(", ", new ArrayList<>(known)) + ")");
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
