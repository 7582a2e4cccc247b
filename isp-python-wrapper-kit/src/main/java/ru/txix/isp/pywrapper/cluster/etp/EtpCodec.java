package ru.txix.isp.pywrapper.cluster.etp;

/**
 * ETP framing. Encoding writes {@code name||ackId} and, only when there is data, {@code ||data}. Decoding
 * splits at the first two delimiters (data may itself contain {@code ||}) and accepts {@code name||0} and
 * {@code name||0||} alike.
 */
public final class EtpCodec {
  public static final String DELIMITER = "||";
  private static final int QUOTE_LIMIT = 200;

  private EtpCodec() {
  }

  public static String encode(EtpMessage message) {
    StringBuilder frame = new StringBuilder(message.name().length() + message.data().length() + 24)
        .append(message.name()).append(DELIMITER).append(message.ackId());
    if (!message.data().isEmpty()) {
      frame.append(DELIMITER).append(message.data());
    }
    return frame.toString();
  }

  public static EtpMessage decode(String frame) throws EtpFormatException {
    int first = frame.indexOf(DELIMITER);
    if (first < 0) {
      throw new EtpFormatException("expected format: <eventName>||<ackId>||<eventData>, got: " + quote(frame));
    }
    int second = frame.indexOf(DELIMITER, first + DELIMITER.length());
    String ackText = second < 0 ? frame.substring(first + DELIMITER.length())
        : frame.substring(first + DELIMITER.length(), second);
    long ackId = parseAckId(ackText, frame);
    String data = second < 0 ? "" : frame.substring(second + DELIMITER.length());
    return new EtpMessage(frame.substring(0, first), ackId, data);
  }

  private static long parseAckId(String text, String frame) throws EtpFormatException {
    if (text.isEmpty() || text.length() > 19) {
      throw new EtpFormatException("parse ackId: invalid ackId \"" + quote(text) + "\" in " + quote(frame));
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        throw new EtpFormatException("parse ackId: invalid ackId \"" + quote(text) + "\" in " + quote(frame));
      }
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new EtpFormatException("parse ackId: ackId \"" + text + "\" out of range in " + quote(frame));
    }
  }

  /** {@code text} cut to 200 characters, for messages and logs. */
  public static String quote(String text) {
    return text.length() <= QUOTE_LIMIT ? text
        : text.substring(0, QUOTE_LIMIT) + "…(" + text.length() + " characters)";
  }
}
