package ru.txix.isp.pywrapper.supervisor;

import java.time.Instant;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import tools.jackson.databind.JsonNode;

/**
 * Everything about one spawned child, in one object that dies with it: the process, its generation, when it
 * started, the config it read, and its probes. (How far its stop has gone is the {@link Retirement}'s.) Confined to
 * the supervisor thread.
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
  int livenessFailures;

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

  @Override
  public String toString() {
    return "Child[pid=" + pid() + ", generation=" + generation + "]";
  }
}
