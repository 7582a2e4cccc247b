package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogbackDefaultsTest {

  /** Found by the chaos runner: a debug line of the supervisor after "shutdown completed" made Logback print
   * "logback: WARN No appenders present in context [default] for logger [...]" on the host's stderr. */
  @Test
  void aLineLoggedAfterTheFlushIsDroppedWithoutALineOfLogbacksOwn() {
    LoggerContext context = new LoggerContext();
    StatusLines.install(context);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(appender);
    context.getLogger("before").info("shutdown completed");
    assertThat(appender.list).hasSize(1);

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      LogbackDefaults.flush(context);
      context.getLogger("ru.txix.isp.pywrapper.supervisor.PySupervisor").debug("ignored after stop: {}", "input");
      context.getLogger("late").info("a late line");
    } finally {
      System.setErr(original);
    }

    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
