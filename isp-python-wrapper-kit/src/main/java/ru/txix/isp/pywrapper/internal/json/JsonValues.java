package ru.txix.isp.pywrapper.internal.json;

import java.util.Comparator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON of configs: read without loss, written back with the same values, compared as values.
 *
 * <p>{@link #MAPPER} reads every floating-point number as a {@code BigDecimal} (and integers as int, long or
 * {@code BigInteger}, whatever holds them), keeping trailing zeros, so a config is written to the child digit
 * for digit as it arrived ({@code 3.14159265358979323846264338327950288} stays that; only the text form of an
 * equal value may change, e.g. {@code 1e400} is written {@code 1E+400}).
 */
public final class JsonValues {
  /** Reads and writes JSON without rounding numbers. Thread-safe. */
  public static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

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
    return MAPPER.writeValueAsBytes(node);
  }

  /** Compact JSON text of {@code node}. */
  public static String text(JsonNode node) {
    return MAPPER.writeValueAsString(node);
  }

  /** True if both documents denote the same JSON value: key order is irrelevant and {@code 1} equals {@code 1.0}. */
  public static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_VALUE, b);
  }
}
