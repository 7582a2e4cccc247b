package ru.txix.isp.pywrapper.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ru.txix.isp.pywrapper.cluster.SessionFailedException.Kind;

/**
 * The time between two active sessions: how it began (an active session's end, or the client's start) and every
 * failed attempt since, per host and kind. It words what the failover logs and what health reports. Confined to
 * the "config-service" thread.
 */
final class Outage {
  private final long began;
  private final String endedHost;
  private final Map<String, EnumMap<Kind, Integer>> tallies = new LinkedHashMap<>();
  private final Map<String, String> lastByHost = new LinkedHashMap<>();
  private final Set<String> refusalsLogged = new HashSet<>();
  private int failedAttempts;
  /** The number of the last failed attempt that was a refusal; 0 before one. */
  private int lastRefusal;
  private String lastFailure = "";
  private boolean warned;

  private Outage(long began, String endedHost) {
    this.began = began;
    this.endedHost = endedHost;
  }

  /** Begins when the active session with {@code host} ended for {@code reason}, at {@code now} (nanoseconds). */
  static Outage afterSession(long now, String host, String reason) {
    Outage outage = new Outage(now, host);
    outage.lastByHost.put(host, "session ended (" + reason + ")");
    return outage;
  }

  /** Begins at the start of the first session, which failed. */
  static Outage atStart(long firstAttemptBegan) {
    return new Outage(firstAttemptBegan, null);
  }

  /** A session with {@code host} failed before it became active. */
  void failed(String host, Kind kind, String message) {
    failedAttempts++;
    if (kind == Kind.REFUSED) {
      lastRefusal = failedAttempts;
    }
    tallies.computeIfAbsent(host, h -> new EnumMap<>(Kind.class)).merge(kind, 1, Integer::sum);
    lastByHost.put(host, message);
    lastFailure = host + ": " + message;
  }

  /** True the first time this outage sees {@code refusal} (the service's words, whichever host said them). */
  boolean firstRefusal(String refusal) {
    return refusalsLogged.add(refusal);
  }

  /** True the first time it is asked: the one warning that no host can serve the module. */
  boolean firstWarning() {
    boolean first = !warned;
    warned = true;
    return first;
  }

  /** True when one of the last {@code attempts} failed attempts was a refusal. */
  boolean refusedInTheLast(int attempts) {
    return lastRefusal > 0 && failedAttempts - lastRefusal < attempts;
  }

  /** The host whose active session ended, or null when the outage began at the start. */
  String endedHost() {
    return endedHost;
  }

  int failedAttempts() {
    return failedAttempts;
  }

  /** Failed attempts of one kind, over all hosts. */
  int count(Kind kind) {
    return tallies.values().stream().mapToInt(t -> t.getOrDefault(kind, 0)).sum();
  }

  /** The hosts tried so far (with a failed attempt), in the order first tried. */
  List<String> hostsTried() {
    return List.copyOf(tallies.keySet());
  }

  Duration since(long now) {
    return Duration.ofNanos(now - began);
  }

  /** {@code 127.0.0.1:9001: connect: …}: the last failure, naming its host; empty before one. */
  String lastFailure() {
    return lastFailure;
  }

  /** Each host tried with its last failure: {@code 127.0.0.1:9001: connect: …; 127.0.0.1:9002: refused …}. */
  String lastFailureByHost() {
    List<String> parts = new ArrayList<>();
    lastByHost.forEach((host, message) -> parts.add(host + ": " + message));
    return String.join("; ", parts);
  }

  /** Each host tried with its failures by kind: {@code 127.0.0.1:9001: 2 connection failures, 1 refusal; …}. */
  String tallies() {
    List<String> parts = new ArrayList<>();
    tallies.forEach((host, kinds) -> {
      List<String> counts = new ArrayList<>();
      kinds.forEach((kind, n) -> counts.add(words(kind, n)));
      parts.add(host + ": " + String.join(", ", counts));
    });
    return String.join("; ", parts);
  }

  private static String words(Kind kind, int n) {
    return switch (kind) {
      case UNREACHABLE -> plural(n, "connection failure", "connection failures");
      case REFUSED -> plural(n, "refusal", "refusals");
      case CONFIG_TIMEOUT -> plural(n, "config wait timed out", "config waits timed out");
      case FAILED -> plural(n, "failed session", "failed sessions");
    };
  }

  /** {@code 1 failed attempt}, {@code 2 failed attempts}. */
  static String plural(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  /** {@code 412ms} under 10 s, else whole seconds ({@code 31s}). */
  static String text(Duration duration) {
    return duration.compareTo(Duration.ofSeconds(10)) < 0 ? duration.toMillis() + "ms"
        : duration.toSeconds() + "s";
  }
}
