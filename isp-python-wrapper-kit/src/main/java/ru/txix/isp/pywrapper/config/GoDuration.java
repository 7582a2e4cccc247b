package ru.txix.isp.pywrapper.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the Go way ({@code 5s}, {@code 300ms}, {@code 1m30s}, {@code 1.5h}), as isp-kit's local
 * config takes them. A bare number has no unit and is rejected, as in Go.
 */
final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private GoDuration() {
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static Duration parse(String text) {
    String value = text.strip();
    if (value.equals("0")) {
      return Duration.ZERO;
    }
    boolean negative = value.startsWith("-");
    if (negative || value.startsWith("+")) {
      value = value.substring(1);
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher matcher = PART.matcher(value);
    BigDecimal nanos = BigDecimal.ZERO;
    int position = 0;
    while (position < value.length()) {
      if (!matcher.find(position) || matcher.start() != position) {
        throw new IllegalArgumentException("invalid duration \"" + text
            + "\" (expected a number with a unit: ns, us, ms, s, m, h — e.g. 5s, 300ms, 1m30s)");
      }
      nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unitNanos(matcher.group(2)))));
      position = matcher.end();
    }
    Duration duration = Duration.ofNanos(nanos.longValueExact());
    return negative ? duration.negated() : duration;
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> throw new IllegalArgumentException("unknown unit " + unit);
    };
  }
}
