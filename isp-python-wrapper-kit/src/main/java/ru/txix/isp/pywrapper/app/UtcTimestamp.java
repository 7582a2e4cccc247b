package ru.txix.isp.pywrapper.app;

/**
 * ISO-8601 UTC timestamps with nanoseconds ({@code 2026-11-28T11:00:02.366234503Z}) for log lines, computed
 * directly: {@code java.time}'s formatters cost a few dozen classes on the host's start-up path.
 */
final class UtcTimestamp {
  private UtcTimestamp() {
  }

  /** Appends the instant {@code epochSecond} + {@code nanos} (a negative nanos value counts as 0). */
  static void append(StringBuilder out, long epochSecond, int nanos) {
    long days = Math.floorDiv(epochSecond, 86_400);
    long secondOfDay = Math.floorMod(epochSecond, 86_400);
    // Days to civil date (H. Hinnant's algorithm, proleptic Gregorian).
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long dayOfEra = z - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long monthIndex = (5 * dayOfYear + 2) / 153;
    long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
    long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    pad(out, year, 4).append('-');
    pad(out, month, 2).append('-');
    pad(out, day, 2).append('T');
    pad(out, secondOfDay / 3600, 2).append(':');
    pad(out, secondOfDay / 60 % 60, 2).append(':');
    pad(out, secondOfDay % 60, 2).append('.');
    pad(out, Math.max(0, nanos), 9).append('Z');
  }

  private static StringBuilder pad(StringBuilder out, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }
}
