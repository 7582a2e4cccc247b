package ru.txix.isp.pywrapper.chaos;

import java.util.List;

/**
 * How the host runs in one segment of a chaos run: against the config-service stand-in ({@code cluster}) or
 * from the offline config file ({@code offline}), and with the child binding the port itself ({@code bind}) or
 * with the host's socket and readiness by notification ({@code notify}: {@code python.socket: inherit} and
 * {@code python.readiness: notify}, so config changes overlap the children).
 */
record Profile(boolean cluster, boolean overlap) {
  static final List<Profile> ALL = List.of(new Profile(true, false), new Profile(true, true),
      new Profile(false, false), new Profile(false, true));

  static Profile parse(String name) {
    return ALL.stream().filter(p -> p.toString().equals(name.strip())).findFirst().orElseThrow(
        () -> new IllegalArgumentException("unknown profile \"" + name + "\" (known: " + ALL + ")"));
  }

  /** The {@code python:} block of the host's {@code conf/config.yml} in this profile. */
  String pythonSettings() {
    return String.join("\n",
        "python:",
        // Quicker cycles than production's defaults, so that a minute sees many: at most 8 s of back-off, a child
        // that never binds replaced after 5 s, a hung (SIGSTOPped) child replaced after 3 failed checks 1 s apart.
        "  restartDelayMax: 8s",
        "  startTimeout: 5s",
        "  startTimeoutAction: restart",
        "  liveness: { path: /health, period: 1s, timeout: 1s, failureThreshold: 3 }",
        overlap ? "  socket: inherit\n  readiness: notify" : "  socket: bind",
        "");
  }

  @Override
  public String toString() {
    return (cluster ? "cluster" : "offline") + "-" + (overlap ? "notify" : "bind");
  }
}
