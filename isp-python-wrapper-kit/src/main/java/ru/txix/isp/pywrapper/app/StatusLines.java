package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Logback's own warnings and errors (a broken appender, say), one line each on stderr: {@code logback: WARN …}.
 *
 * <p>With a status listener installed, Logback skips its start-up status printer, whose date formatting loads
 * the time-zone database — some 40 ms on the host's start-up path for lines that are, in the normal case,
 * never printed.
 */
final class StatusLines implements StatusListener {
  private StatusLines() {
  }

  /** Prints the warnings and errors so far and listens for later ones. */
  static void install(LoggerContext context) {
    StatusLines listener = new StatusLines();
    context.getStatusManager().getCopyOfStatusList().forEach(listener::addStatusEvent);
    context.getStatusManager().add(listener);
  }

  @Override
  public void addStatusEvent(Status status) {
    // Our configuration always has an appender: none means the context was stopped by the final flush, and a
    // line logged then is dropped — saying so in a line that is no JSON would break the log's format.
    if (status.getEffectiveLevel() >= Status.WARN && !status.getMessage().startsWith("No appenders present")) {
      System.err.println("logback: " + (status.getEffectiveLevel() == Status.ERROR ? "ERROR " : "WARN ")
          + status.getMessage() + (status.getThrowable() == null ? "" : ": " + status.getThrowable()));
    }
  }

  @Override
  public boolean isResetResistant() {
    return true;
  }
}
