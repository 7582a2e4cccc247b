package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;

/**
 * One JSON object per log line: {@code time} (UTC, nanoseconds), {@code message}, {@code logger}, {@code thread},
 * {@code level}, then the MDC entries and the event's key-value pairs (numbers and booleans as JSON numbers and
 * booleans, JSON trees as their JSON text, everything else as strings), and {@code stackTrace} when there is a throwable.
 *
 * <p>Written by hand rather than with a JSON library: a log line is a flat object, and the host's start-up is
 * faster without loading a JSON stack for its first line.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] EMPTY = new byte[0];
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(256);
    out.append("{\"time\":\"");
    UtcTimestamp.append(out, Math.floorDiv(event.getTimeStamp(), 1000), event.getNanoseconds());
    out.append('"');
    string(out, "message", event.getFormattedMessage());
    string(out, "logger", event.getLoggerName());
    string(out, "thread", event.getThreadName());
    string(out, "level", event.getLevel().toString());
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach((key, value) -> string(out, key, value));
    }
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        value(out, pair.key, pair.value);
      }
    }
    IThrowableProxy throwable = event.getThrowableProxy();
    if (throwable != null) {
      string(out, "stackTrace", ThrowableProxyUtil.asString(throwable));
    }
    out.append("}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void value(StringBuilder out, String key, Object value) {
    if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof java.math.BigInteger || value instanceof java.math.BigDecimal
        || value instanceof Double d && Double.isFinite(d) || value instanceof Float f && Float.isFinite(f)) {
      key(out, key);
      out.append(value);
    } else if (value instanceof JsonNode node) {
      string(out, key, JsonValues.text(node)); // a config: its JSON text, written without a mapper
    } else if (value == null) {
      key(out, key);
      out.append("null");
    } else {
      string(out, key, String.valueOf(value));
    }
  }

  private static void string(StringBuilder out, String key, String value) {
    key(out, key);
    if (value == null) {
      out.append("null");
    } else {
      quoted(out, value);
    }
  }

  private static void key(StringBuilder out, String key) {
    out.append(',');
    quoted(out, String.valueOf(key));
    out.append(':');
  }

  /** {@code text} as a JSON string: quotes, backslashes and control characters escaped (RFC 8259). */
  static void quoted(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
