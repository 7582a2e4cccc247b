package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the supervisor looks like at one moment: an immutable value for health, metrics and operators.
 *
 * @param state the state
 * @param detail the state in words, e.g. "restarting in 4s after exit code 1 (2 quick exits in a row)"
 * @param pid pid of the current child's group leader ({@code uv}), or null when there is none
 * @param pgid its process group, or null
 * @param generation how many children were spawned so far (the current child's number)
 * @param startedAt when the current child was spawned, or null
 * @param starts children spawned successfully
 * @param restarts start attempts after the first, by cause
 * @param lastExit the last exit of a child, or null
 * @param lastError the last error (failed start, port taken, unwritable config file), or null
 * @param hosts the last host list received per required module
 * @param backoff the wait in progress while {@link SupervisorState#BACKOFF}, else null
 * @param quickExits consecutive exits of children that lived less than {@code backoffResetAfter}
 */
public record SupervisorSnapshot(SupervisorState state, String detail, Long pid, Long pgid, long generation,
                                 Instant startedAt, long starts, Map<RestartCause, Long> restarts,
                                 LastExit lastExit, LastError lastError, Map<String, List<String>> hosts,
                                 Backoff backoff, int quickExits) {
  public SupervisorSnapshot {
    restarts = Map.copyOf(restarts);
    hosts = Map.copyOf(hosts);
  }

  static SupervisorSnapshot initial() {
    Map<RestartCause, Long> restarts = new EnumMap<>(RestartCause.class);
    for (RestartCause cause : RestartCause.values()) {
      restarts.put(cause, 0L);
    }
    return new SupervisorSnapshot(SupervisorState.IDLE, "waiting for the first config", null, null, 0, null, 0,
        restarts, null, null, Map.of(), null, 0);
  }

  /** True while a child accepts connections. */
  public boolean accepting() {
    return state == SupervisorState.RUNNING;
  }

  /** How the last child ended and when. */
  public record LastExit(ExitStatus status, Instant at) {
  }

  /** The last error and when it happened. */
  public record LastError(String message, Instant at) {
  }

  /** A wait before the next start: how long in all, when it ends, and what the start will be counted as. */
  public record Backoff(Duration delay, Instant nextAttemptAt, RestartCause cause) {
  }
}
