package ru.txix.isp.pywrapper.cluster;

/** A session ended before or instead of becoming active; the message says at which step and why. */
final class SessionFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  SessionFailedException(String message) {
    super(message);
  }

  SessionFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
