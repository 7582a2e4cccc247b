package ru.txix.isp.pywrapper.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Checks a merged remote config; each problem names the field and says why, e.g. {@code port: must be >= 1}. */
@FunctionalInterface
public interface RemoteConfigValidator {
  /** Accepts every JSON object. */
  RemoteConfigValidator NONE = config -> List.of();

  /** The problems of {@code config}; empty when it is valid. */
  List<String> problems(JsonNode config);

  /**
   * The problems of every validator, in order, one per field: when two validators fault the same field
   * ({@code logLevel: …}), the first one's message is kept.
   */
  static RemoteConfigValidator all(RemoteConfigValidator... validators) {
    List<RemoteConfigValidator> list = List.of(validators);
    return config -> {
      Map<String, String> byField = new LinkedHashMap<>();
      list.forEach(validator -> validator.problems(config).forEach(problem -> {
        int colon = problem.indexOf(": ");
        byField.putIfAbsent(colon < 0 ? problem : problem.substring(0, colon), problem);
      }));
      return new ArrayList<>(byField.values());
    };
  }
}
