package ru.txix.isp.pywrapper.internal.json;

import java.math.BigDecimal;

/**
 * A number of a declaration (an endpoint's {@code extra}, say) as it was written: Jackson writes a
 * {@code Number} it does not know by its {@link #toString()}, so the text reaches the config service to the
 * character ({@code 2.50}, {@code 5e0}, {@code -0.0}).
 */
public final class JsonNumber extends Number {
  private static final long serialVersionUID = 1L;

  private final String text;
  private final BigDecimal value;

  /** {@code text} must be a JSON number. */
  public JsonNumber(String text) {
    this.value = new BigDecimal(text);
    this.text = text;
  }

  public BigDecimal decimalValue() {
    return value;
  }

  @Override
  public int intValue() {
    return value.intValue();
  }

  @Override
  public long longValue() {
    return value.longValue();
  }

  @Override
  public float floatValue() {
    return value.floatValue();
  }

  @Override
  public double doubleValue() {
    return value.doubleValue();
  }

  /** The number's JSON text, as written. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JsonNumber number && number.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
