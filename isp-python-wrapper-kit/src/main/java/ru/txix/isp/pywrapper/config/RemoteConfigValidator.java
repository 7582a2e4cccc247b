package ru.txix.isp.pywrapper.config;

import java.util.List;
import tools.jackson.databind.JsonNode;

/** Checks a merged remote config; each problem names the field and says why, e.g. {@code port: must be >= 1}. */
@FunctionalInterface
public interface RemoteConfigValidator {
  /** Accepts every JSON object. */
  RemoteConfigValidator NONE = config -> List.of();

  /** The problems of {@code config}; empty when it is valid. */
  List<String> problems(JsonNode config);
}
