package ru.txix.isp.pywrapper.internal.posix;

/** The signals the supervisor sends, with their numbers on this platform (SIGCONT: 18 on Linux, 19 on macOS). */
public enum Signal {
  TERM(15, "SIGTERM"),
  KILL(9, "SIGKILL"),
  CONT(System.getProperty("os.name", "").startsWith("Mac") ? 19 : 18, "SIGCONT");

  private final int number;
  private final String displayName;

  Signal(int number, String displayName) {
    this.number = number;
    this.displayName = displayName;
  }

  public int number() {
    return number;
  }

  @Override
  public String toString() {
    return displayName;
  }
}
