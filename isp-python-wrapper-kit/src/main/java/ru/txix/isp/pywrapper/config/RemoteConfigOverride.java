package ru.txix.isp.pywrapper.config;

import java.util.Map;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code remoteConfigOverride}: a JSON object (read once with the local config) laid over every remote config,
 * leaf by leaf (isp-kit's {@code ~}-flatten merge). A leaf of the override replaces the leaf at the same path; everything else of the
 * config stays. Object keys are single path segments even when they contain dots
 * ({@code {"map.key.1":"x"}} touches only that key); arrays merge element by element, by index. Nothing is
 * ever deleted. Unlike the Go original, numbers keep their exact text and empty objects and arrays survive.
 */
final class RemoteConfigOverride {
  /** No override: {@link #apply} returns its input. */
  public static final RemoteConfigOverride NONE = new RemoteConfigOverride(JsonValues.object());

  private final ObjectNode override;

  private RemoteConfigOverride(ObjectNode override) {
    this.override = override;
  }

  /** The override {@code tree} (a copy is kept). */
  public static RemoteConfigOverride of(ObjectNode tree) {
    return tree.isEmpty() ? NONE : new RemoteConfigOverride(tree.deepCopy());
  }

  public boolean isEmpty() {
    return override.isEmpty();
  }

  /** The override as a JSON object (a copy). */
  public ObjectNode tree() {
    return override.deepCopy();
  }

  /** Never the override's values: they may be secrets. */
  @Override
  public String toString() {
    return "RemoteConfigOverride[" + override.size() + " keys]";
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
