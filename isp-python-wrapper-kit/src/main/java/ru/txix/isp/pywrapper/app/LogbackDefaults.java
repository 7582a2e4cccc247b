package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.Instant;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Logback's configuration when the application brings none ({@code logback.xml} on the class path or
 * {@code -Dlogback.configurationFile} take precedence): on stderr, one JSON object per line — or readable text
 * lines when stderr is a terminal ({@link LogFormat}, {@code LOG_FORMAT} forces either) — at info level, or at
 * debug level with {@code APP_MODE=dev}. Found by Logback through {@code META-INF/services}.
 *
 * <p>Every line is kept: lines are written in order on a thread of their own and none is dropped
 * ({@link QueuedLines}); {@link #flush} writes out what is queued before the process exits (also on an exit
 * the host did not ask for, from a shutdown hook), and {@link #finalLine} writes the run's last line after all
 * others. Logback's own warnings come out in the same format ({@link StatusLines}).
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {
  private static final long FLUSH_MILLIS = 5000;

  /** The host's lines while this configuration is in effect; null under a configuration of the user's. */
  private static volatile QueuedLines lines;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || getClass().getClassLoader().getResource("logback-test.xml") != null
        || getClass().getClassLoader().getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    boolean dev = Modes.from(System.getenv()).dev();
    boolean json = LogFormat.of(System.getenv()) == LogFormat.JSON;
    StatusLines.install(context, () -> json ? json(context) : readable(context), System.err);
    // Encoding and writing happen on a thread of their own, off the supervisor's restart path. Nothing is
    // dropped: a full queue blocks the caller instead.
    QueuedLines queued = new QueuedLines(json ? json(context) : readable(context), System.err);
    queued.setContext(context);
    queued.setName("lines");
    queued.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(dev ? Level.DEBUG : Level.INFO);
    root.addAppender(queued);
    // Libraries that are chatty at debug level stay at info even in dev mode.
    context.getLogger("jdk.internal.httpclient").setLevel(Level.INFO);
    lines = queued;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> queued.drain(FLUSH_MILLIS), "log-flush"));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Writes out the queued log lines; call right before the process exits. Logging goes on working. */
  public static void flush() {
    QueuedLines current = lines;
    if (current != null) {
      current.drain(FLUSH_MILLIS);
    } else if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop(); // a configuration of the user's: stopping it writes out what its appenders hold
    }
  }

  /**
   * Writes out the queued log lines and accepts no more: for right before {@code System.exit}, so that the last
   * line written stays the last.
   */
  public static void close() {
    QueuedLines current = lines;
    if (current != null) {
      current.close(FLUSH_MILLIS);
    } else {
      flush();
    }
  }

  /**
   * Logs a run's last line — at info level whatever the level set: how a run ended is always told — after every
   * line logged before it, and returns once it is written. With {@code last} (the process halts next) no line
   * is written after it at all, whatever other threads still log.
   *
   * @param logger the logger's name
   * @param fields the line's key-value pairs
   */
  static void finalLine(String logger, String message, Map<String, Object> fields, boolean last) {
    QueuedLines current = lines;
    if (current == null) {
      var line = LoggerFactory.getLogger(logger).atInfo();
      fields.forEach(line::addKeyValue);
      line.log(message);
      return;
    }
    LoggingEvent event = event(logger, Level.INFO, message);
    fields.forEach((key, value) -> event.addKeyValuePair(new KeyValuePair(key, value)));
    current.write(event, last, FLUSH_MILLIS);
  }

  /** A line made by the host itself rather than through a logger. */
  static LoggingEvent event(String logger, Level level, String message) {
    LoggingEvent event = new LoggingEvent();
    event.setLoggerName(logger);
    event.setLevel(level);
    event.setThreadName(Thread.currentThread().getName());
    event.setInstant(Instant.now());
    event.setMessage(message);
    event.setMDCPropertyMap(Map.of());
    return event;
  }

  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> readable(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg %kvp%n");
    encoder.start();
    return encoder;
  }
}
