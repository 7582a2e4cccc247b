package ru.txix.isp.pywrapper.cluster.etp;

import static java.util.Objects.requireNonNull;

/**
 * One ETP message: {@code <name>||<ackId>||<data>} in one WebSocket text message.
 *
 * @param name the event name; never contains {@code ||}
 * @param ackId 0 when no acknowledgement is wanted; otherwise the sender's id for matching the reply
 * @param data the payload (JSON or plain text), {@code ""} when there is none
 */
public record EtpMessage(String name, long ackId, String data) {
  /** Prefix of the name of an acknowledgement: {@code __ack_<event name>}. */
  public static final String ACK_PREFIX = "__ack_";

  public EtpMessage {
    requireNonNull(name, "name");
    if (name.contains(EtpCodec.DELIMITER)) {
      throw new IllegalArgumentException("event name must not contain '||': " + name);
    }
    if (ackId < 0) {
      throw new IllegalArgumentException("ackId must not be negative but was " + ackId);
    }
    data = data == null ? "" : data;
  }

  public boolean isAck() {
    return name.startsWith(ACK_PREFIX);
  }

  public boolean wantsAck() {
    return ackId > 0;
  }

  /** The acknowledgement of this message, carrying {@code result}. */
  public EtpMessage ack(String result) {
    return new EtpMessage(ACK_PREFIX + name, ackId, result);
  }
}
