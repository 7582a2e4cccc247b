package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Sets the host's log level from a remote config's {@code logLevel} (isp-kit's level names). */
public final class LogLevels {
  private LogLevels() {
  }

  /** The Logback level for an isp-kit level name, or empty if the name is unknown. */
  public static Optional<Level> parse(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "debug" -> Optional.of(Level.DEBUG);
      case "info", "" -> Optional.of(Level.INFO);
      case "warn" -> Optional.of(Level.WARN);
      case "error", "dpanic", "panic", "fatal" -> Optional.of(Level.ERROR);
      default -> Optional.empty();
    };
  }

  /** Sets the root level when Logback is the SLF4J backend; returns false otherwise. */
  public static boolean apply(Level level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level);
      return true;
    }
    return false;
  }
}
