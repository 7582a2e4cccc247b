package ru.txix.isp.pywrapper.internal.json;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Hides secrets before a config is logged: every leaf whose full path (keys joined with {@code .}, lower-cased)
 * contains {@code password}, {@code secret}, {@code token} or {@code credentials}, and whose value is not
 * {@code ""}, becomes {@code "***"}. Non-objects are returned as they are. Every place that logs a config (the
 * config intake, the cluster session, the supervisor) masks it with this.
 */
public final class Secrets {
  private static final List<String> SECRET_WORDS = List.of("password", "secret", "token", "credentials");
  private static final StringNode MASK = StringNode.valueOf("***");

  private Secrets() {
  }

  /** A copy of {@code config} with secret values replaced. */
  public static JsonNode mask(JsonNode config) {
    if (config == null || !config.isContainer()) {
      return config;
    }
    return walk(config.deepCopy(), "");
  }

  private static JsonNode walk(JsonNode node, String path) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> entry : object.properties()) {
        entry.setValue(walk(entry.getValue(), join(path, entry.getKey())));
      }
      return object;
    }
    if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, walk(array.get(i), join(path, Integer.toString(i))));
      }
      return array;
    }
    boolean empty = node.isString() && node.stringValue().isEmpty();
    return !empty && isSecret(path) ? MASK : node;
  }

  private static boolean isSecret(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return SECRET_WORDS.stream().anyMatch(lower::contains);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
