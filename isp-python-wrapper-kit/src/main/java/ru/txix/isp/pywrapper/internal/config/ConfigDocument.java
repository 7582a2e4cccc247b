package ru.txix.isp.pywrapper.internal.config;

import static java.util.Objects.requireNonNull;

import ru.txix.isp.pywrapper.internal.OneLine;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A remote config as it arrived, parsed once where it arrived ({@link #parse}): a JSON object, its numbers to the
 * character ({@link JsonValues}), or why it is not one. What comes after passes the tree on.
 */
public sealed interface ConfigDocument {

  /** A JSON object. */
  record Json(JsonNode config) implements ConfigDocument {
    public Json {
      requireNonNull(config, "config");
    }

    /** Never the config itself: it may hold secrets. */
    @Override
    public String toString() {
      return "Json[" + config.size() + " keys]";
    }
  }

  /** Not a JSON object; {@code reason} says why ({@code invalid JSON: … at line 1, column 5}). */
  record Unparsable(String reason) implements ConfigDocument {
    public Unparsable {
      requireNonNull(reason, "reason");
    }
  }

  /** Parses {@code text} as a config document. */
  static ConfigDocument parse(String text) {
    try {
      return document(JsonValues.read(text));
    } catch (JacksonException e) {
      return unparsable(e);
    }
  }

  /** Parses {@code utf8} as a config document. */
  static ConfigDocument parse(byte[] utf8) {
    try {
      return document(JsonValues.read(utf8));
    } catch (JacksonException e) {
      return unparsable(e);
    }
  }

  private static ConfigDocument document(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return new Unparsable("empty document: expected a JSON object");
    }
    if (!node.isObject()) {
      return new Unparsable("expected a JSON object, got " + node.getNodeType().name().toLowerCase());
    }
    return new Json(node);
  }

  private static Unparsable unparsable(JacksonException e) {
    return new Unparsable("invalid JSON: " + OneLine.of(e.getOriginalMessage())
        + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr()));
  }
}
