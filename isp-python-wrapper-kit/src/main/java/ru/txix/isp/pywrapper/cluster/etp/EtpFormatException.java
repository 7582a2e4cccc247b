package ru.txix.isp.pywrapper.cluster.etp;

/** A text message that is not {@code <name>||<ackId>[||<data>]}. The message quotes the frame, truncated. */
public final class EtpFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  EtpFormatException(String message) {
    super(message);
  }
}
