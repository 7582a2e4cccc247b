package ru.txix.isp.pywrapper.config;

import java.util.Map;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code remoteConfigOverride}: a JSON object laid over every remote config, leaf by leaf (isp-kit's
 * {@code ~}-flatten merge). A leaf of the override replaces the leaf at the same path; everything else of the
 * config stays. Object keys are single path segments even when they contain dots
 * ({@code {"map.key.1":"x"}} touches only that key); arrays merge element by element, by index. Nothing is
 * ever deleted. Unlike the Go original, numbers keep their exact text and empty objects and arrays survive.
 */
public final class RemoteConfigOverride {
  /** No override: {@link #apply} returns its input. */
  public static final RemoteConfigOverride NONE = new RemoteConfigOverride(null);


  private final ObjectNode override;

  private RemoteConfigOverride(ObjectNode override) {
    this.override = override;
  }

  /**
   * Parses the override text ({@code null} or blank means none).
   *
   * @param origin how errors name the setting, e.g. {@code conf/config.yml: remoteConfigOverride}
   * @throws ConfigException if it is not a JSON object
   */
  public static RemoteConfigOverride parse(String text, String origin) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    JsonNode node;
    try {
      node = JsonValues.read(text);
    } catch (JacksonException e) {
      throw new ConfigException(origin + ": invalid JSON: " + e.getOriginalMessage(), e);
    }
    if (!node.isObject()) {
      throw new ConfigException(origin + ": must be a JSON object, got " + node.getNodeType().name().toLowerCase());
    }
    return new RemoteConfigOverride((ObjectNode) node);
  }

  public boolean isEmpty() {
    return override == null || override.isEmpty();
  }

  /** The merged config; {@code config} itself is not changed. */
  public JsonNode apply(JsonNode config) {
    return isEmpty() ? config : merge(config, override);
  }

  private static JsonNode merge(JsonNode base, JsonNode top) {
    if (base != null && base.isObject() && top.isObject()) {
      ObjectNode result = ((ObjectNode) base).deepCopy();
      for (Map.Entry<String, JsonNode> entry : top.properties()) {
        result.set(entry.getKey(), merge(base.get(entry.getKey()), entry.getValue()));
      }
      return result;
    }
    if (base != null && base.isArray() && top.isArray()) {
      ArrayNode result = ((ArrayNode) base).deepCopy();
      for (int i = 0; i < top.size(); i++) {
        while (result.size() <= i) {
          result.addNull();
        }
        result.set(i, merge(base.get(i), top.get(i)));
      }
      return result;
    }
    if ((top.isObject() || top.isArray()) && top.isEmpty()) {
      return base == null ? top.deepCopy() : base.deepCopy(); // no leaves: changes nothing
    }
    return top.deepCopy();
  }
}
