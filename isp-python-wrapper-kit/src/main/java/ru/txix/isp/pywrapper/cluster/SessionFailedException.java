package ru.txix.isp.pywrapper.cluster;

/**
 * A session ended before or instead of becoming active: the message says at which step and why (without the
 * host, which the caller knows), the {@link Kind} how the failover counts it.
 */
final class SessionFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** How a session failed. */
  enum Kind {
    /** No connection could be made to the host. */
    UNREACHABLE,
    /** The config service answered a module event with an error: it cannot serve the module now. */
    REFUSED,
    /** The first config did not come within the config timeout. */
    CONFIG_TIMEOUT,
    /** Anything else: a missing acknowledgement or address list, a dropped connection, an error event. */
    FAILED
  }

  private final Kind kind;

  SessionFailedException(String message) {
    this(Kind.FAILED, message, null);
  }

  SessionFailedException(String message, Throwable cause) {
    this(Kind.FAILED, message, cause);
  }

  SessionFailedException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** {@code event} was acknowledged with {@code response} (the service's own words) instead of {@code ok}. */
  static SessionFailedException refused(String event, String response) {
    return new SessionFailedException(Kind.REFUSED, "refused " + event + ": "
        + (response.isEmpty() ? "(an empty acknowledgement)" : response), null);
  }

  Kind kind() {
    return kind;
  }
}
