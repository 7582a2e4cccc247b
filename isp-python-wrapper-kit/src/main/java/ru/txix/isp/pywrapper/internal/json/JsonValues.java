package ru.txix.isp.pywrapper.internal.json;

import java.util.Comparator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Comparisons of JSON documents as values: key order is irrelevant and {@code 1} equals {@code 1.0}. */
public final class JsonValues {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
    if (a.equals(b)) {
      return 0;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return 1;
  };

  private JsonValues() {
  }

  /** Compact UTF-8 JSON of {@code node}. */
  public static byte[] bytes(JsonNode node) {
    return JSON.writeValueAsBytes(node);
  }

  /** True if both documents denote the same JSON value. */
  public static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_VALUE, b);
  }
}
