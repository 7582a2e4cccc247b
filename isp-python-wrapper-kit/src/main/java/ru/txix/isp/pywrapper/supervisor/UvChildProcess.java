package ru.txix.isp.pywrapper.supervisor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.internal.posix.ProcessGroups;
import ru.txix.isp.pywrapper.internal.posix.Signal;

/**
 * A child started by {@link UvProcessLauncher}.
 *
 * <p>Finding what is left of a child: on Linux, every live process that is in the child's group or carries
 * the child's {@link UvProcessLauncher#CHILD_ID_VARIABLE} (so a grandchild that called {@code setsid()} or
 * double-forked is still found, even after it was re-parented). Elsewhere, the descendants seen at each
 * signal are remembered and swept.
 */
final class UvChildProcess implements ChildProcess {
  /** Searches /proc off the supervisor thread, so that a restart does not wait for it. */
  private static final ExecutorService SWEEPER =
      Executors.newSingleThreadExecutor(NamedThreads.daemon("py-sweeper"));

  private final Process process;
  private final boolean ownGroup;
  private final String childId;
  private final long startTicks;
  private final CompletableFuture<ExitStatus> exit;
  private final Set<ProcessHandle> seenDescendants = new LinkedHashSet<>();

  UvChildProcess(Process process, boolean ownGroup, String childId) {
    this.process = process;
    this.ownGroup = ownGroup;
    this.childId = childId;
    this.startTicks = ProcTable.read(process.pid()).map(ProcTable.Entry::startTicks).orElse(0L);
    this.exit = process.onExit().handle((p, error) -> new ExitStatus(process.exitValue()));
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public long pgid() {
    return ownGroup ? process.pid() : -1;
  }

  @Override
  public Optional<String> childId() {
    return Optional.of(childId);
  }

  @Override
  public Optional<Instant> startInstant() {
    return process.toHandle().info().startInstant();
  }

  @Override
  public CompletableFuture<ExitStatus> onExit() {
    return exit;
  }

  @Override
  public void terminate() {
    rememberDescendants();
    if (ownGroup) {
      signalGroupOrLeader(Signal.TERM);
    } else {
      process.toHandle().descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
  }

  @Override
  public void kill() {
    rememberDescendants();
    if (ownGroup) {
      signalGroupOrLeader(Signal.KILL);
    } else {
      process.destroyForcibly();
    }
    killAll(survivors());
  }

  @Override
  public CompletableFuture<List<Long>> cleanUp() {
    if (ownGroup) {
      ProcessGroups.signalGroup(process.pid(), Signal.KILL);
    }
    return CompletableFuture.supplyAsync(() -> {
      List<ProcessHandle> left = survivors();
      killAll(left);
      return left.stream().map(ProcessHandle::pid).collect(Collectors.toList());
    }, SWEEPER);
  }

  /** Live processes of this child other than those already gone. */
  List<ProcessHandle> survivors() {
    List<ProcessHandle> found = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    if (ProcTable.available()) {
      for (ProcTable.Entry entry : ProcTable.all()) {
        if (!entry.alive() || entry.pid() == self) {
          continue;
        }
        boolean inGroup = ownGroup && entry.pgid() == process.pid();
        boolean marked = !inGroup && entry.startTicks() >= startTicks
            && ProcTable.hasEnvironmentEntry(entry.pid(), UvProcessLauncher.CHILD_ID_VARIABLE, childId);
        if (inGroup || marked) {
          ProcessHandle.of(entry.pid()).ifPresent(found::add);
        }
      }
      return found;
    }
    synchronized (seenDescendants) {
      process.toHandle().descendants().forEach(seenDescendants::add);
      seenDescendants.stream().filter(ProcessHandle::isAlive).forEach(found::add);
    }
    if (process.isAlive()) {
      found.add(process.toHandle());
    }
    return found;
  }

  private void signalGroupOrLeader(Signal signal) {
    // Right after the start `setsid` may not have made the group yet; then the leader alone is signalled.
    if (!ProcessGroups.signalGroup(process.pid(), signal)) {
      ProcessGroups.signalProcess(process.pid(), signal);
    }
  }

  private void rememberDescendants() {
    if (!ProcTable.available()) {
      synchronized (seenDescendants) {
        process.toHandle().descendants().forEach(seenDescendants::add);
      }
    }
  }

  private void killAll(List<ProcessHandle> processes) {
    for (ProcessHandle handle : processes) {
      if (ProcessGroups.supported()) {
        ProcessGroups.signalProcess(handle.pid(), Signal.KILL);
      } else {
        handle.destroyForcibly();
      }
    }
  }

  @Override
  public String toString() {
    return "UvChildProcess[pid=" + pid() + ", pgid=" + pgid() + "]";
  }
}
