package ru.txix.isp.pywrapper.internal.posix;

/** The signals the supervisor sends. Numbers are the same on Linux and macOS. */
public enum Signal {
  TERM(15, "SIGTERM"),
  KILL(9, "SIGKILL");

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
