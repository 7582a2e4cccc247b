package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Logback's own warnings and errors (a broken configuration, say), one line each on stderr in the log's format
 * (a JSON object, or a text line on a terminal) with the logger {@code logback} — never Logback's raw status
 * text amid the JSON lines.
 *
 * <p>With a status listener installed, Logback skips its start-up status printer, whose date formatting loads
 * the time-zone database — some 40 ms on the host's start-up path for lines that are, in the normal case,
 * never printed.
 */
final class StatusLines implements StatusListener {
  private final Supplier<Encoder<ILoggingEvent>> encoders;
  private final PrintStream out;
  private Encoder<ILoggingEvent> encoder;

  private StatusLines(Supplier<Encoder<ILoggingEvent>> encoders, PrintStream out) {
    this.encoders = encoders;
    this.out = out;
  }

  /**
   * Prints the warnings and errors so far and listens for later ones; {@code encoder} makes its own encoder, at
   * the first line (in the normal case, never).
   */
  static void install(LoggerContext context, Supplier<Encoder<ILoggingEvent>> encoder, PrintStream out) {
    StatusLines listener = new StatusLines(encoder, out);
    context.getStatusManager().getCopyOfStatusList().forEach(listener::addStatusEvent);
    context.getStatusManager().add(listener);
  }

  @Override
  public synchronized void addStatusEvent(Status status) {
    if (status.getEffectiveLevel() >= Status.WARN) {
      ILoggingEvent line = LogbackDefaults.event("logback", status.getEffectiveLevel() == Status.ERROR
          ? Level.ERROR : Level.WARN, status.getMessage() + (status.getThrowable() == null ? ""
          : ": " + status.getThrowable()));
      if (encoder == null) {
        encoder = encoders.get();
      }
      byte[] bytes = encoder.encode(line);
      out.write(bytes, 0, bytes.length);
      out.flush();
    }
  }

  @Override
  public boolean isResetResistant() {
    return true;
  }
}
