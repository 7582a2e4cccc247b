package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

/**
 * Logback's configuration when the application brings none ({@code logback.xml} on the class path or
 * {@code -Dlogback.configurationFile} take precedence): on stderr, one JSON object per line — or readable text
 * lines when stderr is a terminal ({@link LogFormat}, {@code LOG_FORMAT} forces either) — at info level, or at
 * debug level with {@code APP_MODE=dev}. Found by Logback through {@code META-INF/services}.
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || getClass().getClassLoader().getResource("logback-test.xml") != null
        || getClass().getClassLoader().getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    StatusLines.install(context);
    boolean dev = Modes.from(System.getenv()).dev();
    boolean json = LogFormat.of(System.getenv()) == LogFormat.JSON;
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("console");
    appender.setTarget("System.err");
    appender.setEncoder(json ? json(context) : readable(context));
    appender.start();
    // Encoding and writing happen on Logback's worker thread, off the supervisor's restart path. Nothing is
    // dropped: a full queue blocks the caller instead.
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("async");
    async.setQueueSize(4096);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(false);
    async.setMaxFlushTime(2000);
    async.addAppender(appender);
    async.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(dev ? Level.DEBUG : Level.INFO);
    root.addAppender(async);
    // Libraries that are chatty at debug level stay at info even in dev mode.
    context.getLogger("jdk.internal.httpclient").setLevel(Level.INFO);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Writes out queued log lines (stops Logback); call right before the process exits. */
  public static void flush() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      flush(context);
    }
  }

  /**
   * Turns {@code context}'s root logger off and stops it (the lines already queued are written): a thread that
   * logs after the flush (a late input to a stopped supervisor, at debug level) would otherwise find no appender,
   * and Logback would say so in a line of its own on stderr, which is no JSON log line ({@link StatusLines} drops
   * that warning too, for a line logged while the context stops).
   */
  static void flush(LoggerContext context) {
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF); // what is queued is still written
    context.stop();
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF); // stop() reset the level to DEBUG
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
