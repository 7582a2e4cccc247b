package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.internal.posix.TcpListeners;

/**
 * Children a previous host left holding the binding address, found without the child record (which a full disk
 * may have kept from being written): a process listening on the binding address whose environment carries this
 * host's {@code CONFIG_FILE} and a {@code PYWRAPPER_CHILD_ID}, and among whose ancestors the host that spawned it
 * (named by the child id) no longer is — that host is gone, its child was re-parented. Such a child is killed
 * with every process carrying its child id. A child of a host that still runs — this one or another on the same
 * files — is left alone.
 *
 * <p>A recycled pid is never killed: each process is taken as a {@link ProcessHandle} (which holds its start time)
 * before its environment is read, and killed through that handle, which does nothing to a process that started
 * after it was taken. Linux only ({@code /proc}); elsewhere nothing is found.
 */
final class StaleChildren {
  private static final int MAX_ANCESTORS = 64;

  private StaleChildren() {
  }

  /**
   * Kills the stale children holding {@code binding} whose {@code CONFIG_FILE} is {@code configFile}, and waits
   * (up to a second) for them to be gone; returns the pids killed (empty when the address is free or held by
   * anything else). Blocks: call it off the supervisor thread.
   */
  static List<Long> reap(BindingAddress binding, Path configFile) {
    if (!ProcTable.available() || !TcpListeners.available()) {
      return List.of();
    }
    Set<String> childIds = new LinkedHashSet<>();
    for (TcpListeners.Listener listener : TcpListeners.listening(binding.port())) {
      if (listener.collidesWith(binding.host())) {
        for (long holder : TcpListeners.holders(listener.inode())) {
          staleChildId(holder, configFile.toString()).ifPresent(childIds::add);
        }
      }
    }
    if (childIds.isEmpty()) {
      return List.of();
    }
    List<Long> killed = new ArrayList<>();
    for (ProcTable.Entry entry : ProcTable.all()) {
      Optional<ProcessHandle> process = entry.alive() ? ProcessHandle.of(entry.pid()) : Optional.empty();
      boolean carries = process.isPresent() && ProcTable.environment(entry.pid(),
          UvProcessLauncher.CHILD_ID_VARIABLE).filter(childIds::contains).isPresent();
      if (carries && process.get().destroyForcibly()) {
        killed.add(entry.pid());
      }
    }
    ChildRecord.awaitGone(killed);
    if (!killed.isEmpty()) {
      SupervisorLog.staleChildrenKilled(binding, childIds, killed);
    }
    return killed;
  }

  /**
   * The child id of {@code pid} if it is a stale child of a host of {@code configFile}: it carries both, and its
   * spawning host is not its ancestor.
   */
  static Optional<String> staleChildId(long pid, String configFile) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid); // taken before its environment is read
    if (process.isEmpty()
        || !ProcTable.environment(pid, PySupervisor.CONFIG_FILE).filter(configFile::equals).isPresent()) {
      return Optional.empty();
    }
    Optional<String> childId = ProcTable.environment(pid, UvProcessLauncher.CHILD_ID_VARIABLE);
    Optional<Long> host = childId.flatMap(StaleChildren::hostOf);
    if (host.isEmpty() || !inThisPidNamespace(pid) || !hostGone(pid, host.get()) || !process.get().isAlive()) {
      return Optional.empty();
    }
    return childId;
  }

  /** The pid of the host that made {@code childId} ({@code <host pid>-<n>-<nanos>}). */
  private static Optional<Long> hostOf(String childId) {
    int dash = childId.indexOf('-');
    try {
      return dash > 0 ? Optional.of(Long.parseLong(childId.substring(0, dash))) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * True only when a walk up from {@code pid} reached the top without meeting {@code host}. A walk that cannot be
   * finished (a parent exited meanwhile, a file that cannot be read, too deep) is tried once more — the exited
   * parent's children have a new one by then — and then counts as "not gone": a process is never killed on doubt.
   */
  private static boolean hostGone(long pid, long host) {
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<Boolean> found = hasAncestor(pid, host);
      if (found.isPresent()) {
        return !found.get();
      }
    }
    return false;
  }

  /** Whether {@code ancestor} is among the ancestors of {@code pid}; empty when the walk could not be finished. */
  private static Optional<Boolean> hasAncestor(long pid, long ancestor) {
    long current = pid;
    for (int i = 0; i < MAX_ANCESTORS; i++) {
      if (current <= 1) {
        return Optional.of(false);
      }
      Optional<ProcTable.Entry> entry = ProcTable.read(current);
      if (entry.isEmpty()) {
        return Optional.empty();
      }
      current = entry.get().ppid();
      if (current == ancestor) {
        return Optional.of(true);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code pid} is in this host's pid namespace: the pid in a child id is the host's pid as its own
   * namespace sees it, so only there does "not among the ancestors" mean "gone" (a host in a container on the
   * same files and network is alive though its pid is nowhere above its child here). Unreadable: no.
   */
  private static boolean inThisPidNamespace(long pid) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid"))
          .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
