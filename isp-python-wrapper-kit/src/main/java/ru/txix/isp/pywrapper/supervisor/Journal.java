package ru.txix.isp.pywrapper.supervisor;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the supervisor has done, for its snapshot and its listeners: the children spawned, the restarts by cause,
 * the quick exits in a row ({@link CrashBackoff}), the last exit and the last error, the host lists received, and
 * the listener calls due once the input being handled is done. Confined to the supervisor thread.
 */
final class Journal {
  private final Clock clock;
  private final Map<RestartCause, Long> restarts = new EnumMap<>(RestartCause.class);
  private final Map<String, List<String>> hosts = new LinkedHashMap<>();
  private final List<Consumer<SupervisorListener>> events = new ArrayList<>();
  /** How many children were spawned so far (the number of the last one; a failed spawn gets none). */
  private long generation;
  private SupervisorSnapshot.LastExit lastExit;
  private SupervisorSnapshot.LastError lastError;
  private CrashBackoff crashes = CrashBackoff.NONE;

  Journal(Clock clock) {
    this.clock = clock;
    for (RestartCause cause : RestartCause.values()) {
      restarts.put(cause, 0L);
    }
  }

  /** A listener call, made once the current input is handled. */
  void event(Consumer<SupervisorListener> event) {
    events.add(event);
  }

  /** The listener calls due, in order; the list is emptied. */
  List<Consumer<SupervisorListener>> takeEvents() {
    List<Consumer<SupervisorListener>> due = new ArrayList<>(events);
    events.clear();
    return due;
  }

  void error(String message) {
    lastError = new SupervisorSnapshot.LastError(message, clock.instant());
  }

  String lastErrorMessage() {
    return lastError == null ? "" : lastError.message();
  }

  void exited(ExitStatus status) {
    lastExit = new SupervisorSnapshot.LastExit(status, clock.instant());
  }

  CrashBackoff crashes() {
    return crashes;
  }

  void crashes(CrashBackoff next) {
    crashes = next;
  }

  void restart(RestartCause cause) {
    restarts.merge(cause, 1L, Long::sum);
  }

  /** The number of the child about to be spawned. */
  long nextGeneration() {
    return generation + 1;
  }

  /** Child {@code number} was spawned. */
  void spawned(long number) {
    generation = number;
  }

  /** True once this supervisor has spawned a child. */
  boolean anySpawned() {
    return generation > 0;
  }

  void hosts(String module, List<String> list) {
    hosts.put(module, list);
  }

  /** The host lists, as a copy. */
  Map<String, List<String>> hosts() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
  }

  /** The supervisor in {@code state} with {@code child} (or none), the wait {@code backoff} (or none). */
  SupervisorSnapshot snapshot(SupervisorState state, String detail, Child child, SupervisorSnapshot.Backoff backoff) {
    long starts = generation; // every child spawned is one start
    return new SupervisorSnapshot(state, detail, child == null ? null : child.pid(),
        child == null ? null : child.process.pgid(), generation, child == null ? null : child.startedAt, starts,
        restarts, lastExit, lastError, hosts, backoff, crashes.quickExits());
  }
}
