package ru.txix.isp.pywrapper.internal.json;

import java.math.BigDecimal;

/**
 * A number as it was written: its value (a {@code BigDecimal}, for checks and comparisons of values) and its
 * JSON text, which is what {@link JsonValues} writes ({@code -0.0}, {@code 5e0}, {@code 2.50}, {@code 1E+400}
 * stay as they came). Jackson's own serialisation of the node writes the value.
 */
final class ExactNumberNode extends tools.jackson.databind.node.DecimalNode {
  private static final long serialVersionUID = 1L;

  private final String text;

  /** {@code text} must be a JSON number. */
  ExactNumberNode(String text) {
    super(new BigDecimal(text));
    this.text = text;
  }

  /** The number's JSON text, as written. */
  String text() {
    return text;
  }
}
