package ru.txix.isp.pywrapper.supervisor;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A started child: {@code uv} leading a process group of its own, with Python and whatever Python starts.
 *
 * <p>Signals go to the whole group. There is no guarantee that a process terminates on {@link #terminate()};
 * {@link #kill()} is the escalation, and {@link #cleanUp()} removes what is left once the leader is gone.
 */
interface ChildProcess {

  /** The pid of the group leader ({@code uv}). */
  long pid();

  /** The process group id; equals {@link #pid()} when the child leads its own group, -1 where there are none. */
  long pgid();

  /** A value unique to this child that its processes carry ({@code PYWRAPPER_CHILD_ID}), if any. */
  default Optional<String> childId() {
    return Optional.empty();
  }

  /** When the leader started, as the OS reports it, if known. */
  default Optional<Instant> startInstant() {
    return Optional.empty();
  }

  /** Completes once the leader has exited. Never completes exceptionally. */
  CompletableFuture<ExitStatus> onExit();

  /**
   * Asks the whole child to stop: every process of its group receives SIGTERM once. ({@code uv} forwards the
   * SIGTERM it gets to Python, so Python is not signalled a second time by the host.)
   */
  void terminate();

  /**
   * The child's live processes — its group, and on Linux also the descendants that left it — with their
   * command lines, leader first. Reads the OS's process table: not for hot paths.
   */
  default List<ProcessInfo> processes() {
    return List.of(new ProcessInfo(pid(), -1, ""));
  }

  /** The pids of the live members of the child's process group (the leader included while it lives). */
  default List<Long> memberPids() {
    return List.of(pid());
  }

  /** Kills the whole group (SIGKILL) and every descendant that left it. */
  void kill();

  /**
   * Called after the leader exited: kills whatever of the child is still alive. The group is killed before
   * this returns (so a new child can bind the old one's port); descendants that left the group are searched
   * for and killed afterwards. The future holds the pids found alive, empty when nothing was left.
   */
  CompletableFuture<List<Long>> cleanUp();
}
