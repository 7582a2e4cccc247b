package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
      Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(1500),
      Duration.ofSeconds(60));

  /** Known keys below {@code python.}, as documented; a key with children maps to them. */
  private static final Map<String, Set<String>> KNOWN = known();

  private PythonKeys() {
  }

  private static Map<String, Set<String>> known() {
    Map<String, Set<String>> known = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String key : List.of("uv", "uvArgs", "restartDelay", "startRetryDelay", "stopTimeout",
        "configRestartInterval", "readinessTimeout")) {
      known.put(key, Set.of());
    }
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
    return new LocalConfig.PythonSettings(
        config.string("python.uv").filter(s -> !s.isBlank()).map(String::strip).orElse(defaults.uv()),
        config.list("python.uvArgs").orElse(defaults.uvArgs()),
        config.duration("python.restartDelay").orElse(defaults.restartDelay()),
        config.duration("python.startRetryDelay").orElse(defaults.startRetryDelay()),
        config.duration("python.stopTimeout").orElse(defaults.stopTimeout()),
        config.duration("python.configRestartInterval").orElse(defaults.configRestartInterval()),
        config.duration("python.readinessTimeout").orElse(defaults.readinessTimeout()));
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
