package ru.txix.isp.pywrapper.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.internal.config.Problem;
import tools.jackson.databind.JsonNode;

/** Checks a merged remote config; each problem names the field and says why. */
@FunctionalInterface
interface RemoteConfigValidator {
  /** Accepts every JSON object. */
  RemoteConfigValidator NONE = config -> List.of();

  /** The problems of {@code config}; empty when it is valid. */
  List<Problem> problems(JsonNode config);

  /**
   * The problems of every validator, in order, one per field: when two validators fault the same field
   * ({@code logLevel}), the first one's problem is kept.
   */
  static RemoteConfigValidator all(RemoteConfigValidator... validators) {
    List<RemoteConfigValidator> list = List.of(validators);
    return config -> {
      Map<String, Problem> byField = new LinkedHashMap<>();
      list.forEach(validator -> validator.problems(config).forEach(p -> byField.putIfAbsent(fieldKey(p), p)));
      return new ArrayList<>(byField.values());
    };
  }

  /** The field as a dotted path, so that {@code /logLevel} and {@code logLevel} are the same field. */
  private static String fieldKey(Problem problem) {
    String field = problem.field();
    return (field.startsWith("/") ? field.substring(1) : field).replace('/', '.');
  }
}
