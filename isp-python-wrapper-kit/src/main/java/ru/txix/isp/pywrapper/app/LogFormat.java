package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the host writes its log: readable text lines when stderr is a terminal (and in dev mode,
 * {@code APP_MODE=dev}), one JSON object per line otherwise (production: a container's log collector, a file,
 * a pipe). {@code LOG_FORMAT=json} or {@code LOG_FORMAT=text} forces either.
 */
enum LogFormat {
  JSON, TEXT;

  /** Environment variable forcing the format: {@code json} or {@code text}. */
  static final String VARIABLE = "LOG_FORMAT";

  static LogFormat of(Map<String, String> environment) {
    String forced = environment.getOrDefault(VARIABLE, "").strip().toLowerCase(Locale.ROOT);
    return switch (forced) {
      case "json" -> JSON;
      case "text" -> TEXT;
      default -> Modes.from(environment).dev() || stderrIsTerminal() ? TEXT : JSON;
    };
  }

  /**
   * The child's environment: {@code environment}, plus {@code UV_NO_PROGRESS=1} when stderr is not a terminal
   * (uv's progress bars would interleave with the log lines), unless set.
   */
  static Map<String, String> childEnvironment(Map<String, String> environment) {
    if (environment.containsKey("UV_NO_PROGRESS") || stderrIsTerminal()) {
      return environment;
    }
    Map<String, String> child = new HashMap<>(environment);
    child.put("UV_NO_PROGRESS", "1");
    return child;
  }

  /**
   * True when file descriptor 2 is a terminal: on Linux its {@code /proc/self/fd/2} link names a tty device;
   * elsewhere the JDK's console (stdin and stdout on a terminal) stands in for it.
   */
  static boolean stderrIsTerminal() {
    Path link = Path.of("/proc/self/fd/2");
    if (Files.isSymbolicLink(link)) {
      try {
        String target = Files.readSymbolicLink(link).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return System.console() != null;
  }
}
