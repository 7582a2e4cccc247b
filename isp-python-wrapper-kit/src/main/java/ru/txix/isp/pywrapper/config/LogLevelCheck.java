package ru.txix.isp.pywrapper.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import ru.txix.isp.pywrapper.internal.config.Problem;
import tools.jackson.databind.JsonNode;

/**
 * The top-level {@code logLevel} of a remote config: missing or empty means {@code info}; otherwise one of
 * {@code debug}, {@code info}, {@code warn}, {@code error}, {@code fatal} (and zap's {@code dpanic},
 * {@code panic}), ignoring case.
 */
final class LogLevelCheck implements RemoteConfigValidator {
  public static final String KEY = "logLevel";
  public static final List<String> NAMES = List.of("debug", "info", "warn", "error", "fatal");
  private static final List<String> ACCEPTED = List.of("debug", "info", "warn", "error", "fatal", "dpanic", "panic");

  @Override
  public List<Problem> problems(JsonNode config) {
    JsonNode value = config.get(KEY);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isString()) {
      return List.of(new Problem(KEY, "must be one of " + String.join(", ", NAMES) + ", got " + value));
    }
    String name = value.asString().strip().toLowerCase(Locale.ROOT);
    if (name.isEmpty() || ACCEPTED.contains(name)) {
      return List.of();
    }
    return List.of(new Problem(KEY, "must be one of " + String.join(", ", NAMES) + ", got \"" + value.asString()
        + "\""));
  }

  /** The level name of a valid config, or empty when it sets none. */
  public static Optional<String> levelOf(JsonNode config) {
    return Optional.ofNullable(config.get(KEY)).filter(JsonNode::isString).map(JsonNode::asString)
        .map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty());
  }
}
