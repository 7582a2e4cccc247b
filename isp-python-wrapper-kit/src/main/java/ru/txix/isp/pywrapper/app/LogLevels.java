package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Sets the host's log level from a remote config's {@code logLevel} (isp-kit's level names). */
final class LogLevels {
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

  /**
   * Sets the root level when Logback is the SLF4J backend, and logs the change; returns false when the level
   * was already {@code level} or Logback is not the backend.
   */
  public static boolean apply(Level level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      Level before = root.getLevel();
      if (level.equals(before)) {
        return false;
      }
      root.setLevel(level);
      org.slf4j.Logger log = LoggerFactory.getLogger(LogLevels.class);
      log.atInfo().addKeyValue("from", String.valueOf(before)).addKeyValue("to", level.toString())
          .log("log level changed by the remote config");
      log.debug("debug logging is on");
      return true;
    }
    return false;
  }
}
