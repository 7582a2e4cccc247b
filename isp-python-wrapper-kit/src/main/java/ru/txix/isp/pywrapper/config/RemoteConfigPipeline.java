package ru.txix.isp.pywrapper.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns received remote-config bytes into the config the child gets: parse (a JSON object), merge
 * {@code remoteConfigOverride}, check. The outcome is either the merged config or one message that names
 * every problem; nothing is thrown for bad input.
 */
public final class RemoteConfigPipeline {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final RemoteConfigOverride override;
  private final RemoteConfigValidator validator;

  public RemoteConfigPipeline(RemoteConfigOverride override, RemoteConfigValidator validator) {
    this.override = requireNonNull(override, "override");
    this.validator = requireNonNull(validator, "validator");
  }

  /** What became of one received config. */
  public sealed interface Outcome {
  }

  /** Usable: {@code config} is the merged config to hand to the child. */
  public record Accepted(JsonNode config) implements Outcome {
  }

  /** Not usable; {@code reason} says why, field by field. */
  public record Rejected(String reason) implements Outcome {
  }

  public Outcome process(byte[] raw) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(raw);
    } catch (JacksonException e) {
      return new Rejected("invalid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr()));
    }
    if (parsed == null || parsed.isMissingNode()) {
      return new Rejected("empty document: expected a JSON object");
    }
    if (!parsed.isObject()) {
      return new Rejected("expected a JSON object, got " + parsed.getNodeType().name().toLowerCase());
    }
    JsonNode merged = override.apply(parsed);
    List<String> problems = validator.problems(merged);
    if (!problems.isEmpty()) {
      return new Rejected("invalid config: " + String.join("; ", problems));
    }
    return new Accepted(merged);
  }
}
