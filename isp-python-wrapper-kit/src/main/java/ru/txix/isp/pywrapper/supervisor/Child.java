package ru.txix.isp.pywrapper.supervisor;

import java.time.Instant;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import tools.jackson.databind.JsonNode;

/**
 * Everything about one spawned child, in one object that dies with it: the process, its generation, when it
 * started, the config it read, its probes, and how far its stop has gone. Confined to the supervisor thread.
 */
final class Child {
  final ChildProcess process;
  final long generation;
  final long startNanos;
  final Instant startedAt;
  /** The config it read at its start. */
  final JsonNode config;
  Cancellable readiness = Cancellable.NONE;
  Cancellable liveness = Cancellable.NONE;
  /** Only for a child stopped after an overlap, whose SIGKILL deadline is not the phase timer's. */
  Cancellable killDeadline = Cancellable.NONE;
  int livenessFailures;
  boolean startTimeoutReported;
  boolean killSent;

  Child(ChildProcess process, long generation, long startNanos, Instant startedAt, JsonNode config) {
    this.process = process;
    this.generation = generation;
    this.startNanos = startNanos;
    this.startedAt = startedAt;
    this.config = config;
  }

  long pid() {
    return process.pid();
  }

  /** Stops its probes. */
  void stopWatching() {
    readiness.cancel();
    readiness = Cancellable.NONE;
    liveness.cancel();
    liveness = Cancellable.NONE;
  }

  /** Stops everything that watches or times it. */
  void forget() {
    stopWatching();
    killDeadline.cancel();
    killDeadline = Cancellable.NONE;
  }

  @Override
  public String toString() {
    return "Child[pid=" + pid() + ", generation=" + generation + "]";
  }
}
