package ru.txix.isp.pywrapper.supervisor;

import java.util.Optional;

/**
 * How a child ended, as the JDK reports it: the exit code, where death by signal N reads as 128+N (which is
 * also what {@code uv} itself exits with when Python dies from a signal).
 */
public record ExitStatus(int code) {
  private static final String[] SIGNAL_NAMES = {
      null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
      "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

  /** The signal name for codes 129–143 (128 + a standard signal number). */
  public Optional<String> signal() {
    int n = code - 128;
    return n > 0 && n < SIGNAL_NAMES.length ? Optional.of(SIGNAL_NAMES[n]) : Optional.empty();
  }

  /** "exit code 3", or "exit code 143 (SIGTERM)". */
  public String describe() {
    return "exit code " + code + signal().map(s -> " (" + s + ")").orElse("");
  }

  @Override
  public String toString() {
    return describe();
  }
}
