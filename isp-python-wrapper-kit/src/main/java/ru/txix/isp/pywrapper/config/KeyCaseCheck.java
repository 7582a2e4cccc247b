package ru.txix.isp.pywrapper.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Finds keys of a config that differ from the declared fields (a Java type's or a schema file's) only in case,
 * e.g. {@code "Greeting"} for {@code greeting}. Such a config is accepted — Go's decoder, like the typed check,
 * matches names ignoring case — but the Python service reads the key as written, so it is worth a warning.
 *
 * <p>The schema is obtained on first use.
 */
final class KeyCaseCheck {
  /** Checks nothing (no declared fields). */
  public static final KeyCaseCheck NONE = new KeyCaseCheck(() -> null);

  private final Supplier<JsonNode> schemaSupplier;
  private JsonNode schema;
  private boolean resolved;

  /** {@code schema} supplies the JSON schema declaring the fields (may return null: nothing declared). */
  public KeyCaseCheck(Supplier<JsonNode> schema) {
    this.schemaSupplier = schema;
  }

  /** Each mismatch as {@code "Greeting" (declared: greeting)}, with its path; empty when there is none. */
  public synchronized List<String> mismatches(JsonNode config) {
    if (!resolved) {
      resolved = true;
      schema = schemaSupplier.get();
    }
    List<String> found = new ArrayList<>();
    if (schema != null) {
      walk(config, schema, "", found);
    }
    return found;
  }

  private static void walk(JsonNode value, JsonNode schema, String path, List<String> found) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    if (value.isObject()) {
      JsonNode properties = schema.get("properties");
      if (properties == null || !properties.isObject()) {
        return;
      }
      for (Map.Entry<String, JsonNode> entry : value.properties()) {
        String key = entry.getKey();
        JsonNode declared = properties.get(key);
        if (declared == null) {
          String match = properties.propertyNames().stream().filter(key::equalsIgnoreCase).findFirst().orElse(null);
          if (match == null) {
            continue;
          }
          found.add("\"" + path + key + "\" (declared: " + path + match + ")");
          declared = properties.get(match);
        }
        walk(entry.getValue(), declared, path + key + ".", found);
      }
    } else if (value.isArray()) {
      JsonNode items = schema.get("items");
      for (int i = 0; i < value.size(); i++) {
        walk(value.get(i), items, path + i + ".", found);
      }
    }
  }
}
