package ru.txix.isp.pywrapper.internal;

/** Error texts made fit for one log line: parsers' multi-line messages keep their first line. */
public final class OneLine {
  private OneLine() {
  }

  /** The first non-blank line of {@code text}, stripped; {@code ""} for null. */
  public static String of(String text) {
    if (text == null) {
      return "";
    }
    for (String line : text.split("\\R")) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    return "";
  }
}
