package ru.txix.isp.pywrapper.supervisor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.internal.posix.ProcessGroups;
import ru.txix.isp.pywrapper.internal.posix.Signal;

/**
 * A child that leads its own process group (or, where there are none, a process tree): what both launchers
 * start ({@link UvProcessLauncher} through the JDK, {@link NativeProcessLauncher} with {@code posix_spawn}).
 *
 * <p>Finding what is left of a child: on Linux, every live process that is in the child's group or carries
 * the child's {@link UvProcessLauncher#CHILD_ID_VARIABLE} (so a grandchild that called {@code setsid()} or
 * double-forked is still found, even after it was re-parented). Elsewhere, the descendants seen at each
 * signal are remembered and swept.
 */
abstract class GroupChild implements ChildProcess {
  /** Searches /proc off the supervisor thread, so that a restart does not wait for it. */
  private static final ExecutorService SWEEPER = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), NamedThreads.daemon("py-sweeper"));

  private final ProcessHandle process;
  private final boolean ownGroup;
  private final String childId;
  private final long startTicks;
  private final Set<ProcessHandle> seenDescendants = new LinkedHashSet<>();
  /** What the search of {@code /proc} at the SIGTERM found; null until then (and without {@code /proc}). */
  private volatile Census census;
  /** The SIGTERMs of {@link #terminate} to the members other than the leader; done when there were none. */
  private volatile CompletableFuture<Void> membersSignalled = CompletableFuture.completedFuture(null);

  GroupChild(ProcessHandle process, boolean ownGroup, String childId) {
    this.process = process;
    this.ownGroup = ownGroup;
    this.childId = childId;
    this.startTicks = ProcTable.read(process.pid()).map(ProcTable.Entry::startTicks).orElse(0L);
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
    return process.info().startInstant();
  }

  /**
   * SIGTERM once per process: to the leader ({@code uv}) at once, which forwards it to its own children
   * (Python), and to every other member of the group (what Python started), so that no process gets it twice.
   * Without {@code /proc} the group is signalled as a whole (Python may then get it from the host and from uv).
   * Then, as systemd does, SIGCONT to the group: a stopped process ({@code kill -STOP}, a debugger gone) handles
   * its SIGTERM instead of waiting for the SIGKILL; to a running one it means nothing.
   *
   * <p>The search of {@code /proc} for the other members (a few milliseconds) and their signals happen on the
   * sweeper's thread, before any later sweep of this child: the caller — the supervisor — is free at once to
   * see the exit the leader's SIGTERM brings. The search is kept as a {@link Census}, so that the sweep after the
   * exit reads again only the processes that were the child's then or appeared since.
   */
  @Override
  public void terminate() {
    rememberDescendants();
    if (!ownGroup) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      return;
    }
    if (!ProcTable.available()) {
      signalGroupOrLeader(Signal.TERM);
      signalGroupOrLeader(Signal.CONT);
      return;
    }
    long leader = process.pid();
    ProcessGroups.signalProcess(leader, Signal.TERM);
    membersSignalled = CompletableFuture.runAsync(() -> {
      Set<Long> listed = new HashSet<>();
      Set<Long> ours = new HashSet<>();
      for (ProcTable.Entry entry : ProcTable.all()) {
        listed.add(entry.pid());
        if (belongs(entry)) {
          ours.add(entry.pid());
          if (entry.pgid() == leader && entry.pid() != leader && entry.ppid() != leader) {
            ProcessGroups.signalProcess(entry.pid(), Signal.TERM);
          }
        }
      }
      census = new Census(listed, ours);
      ProcessGroups.signalGroup(leader, Signal.CONT); // the group only: the leader's pid may be reused by now
    }, SWEEPER);
  }

  @Override
  public List<Long> memberPids() {
    if (!ownGroup || !ProcTable.available()) {
      return process.isAlive() ? List.of(process.pid()) : List.of();
    }
    return ProcTable.group(process.pid()).stream().map(ProcTable.Entry::pid).collect(Collectors.toList());
  }

  @Override
  public List<ProcessInfo> processes() {
    List<ProcessInfo> found = new ArrayList<>();
    if (ProcTable.available()) {
      for (ProcessHandle handle : survivors()) {
        ProcTable.read(handle.pid()).ifPresent(entry -> found.add(
            new ProcessInfo(entry.pid(), entry.ppid(), ProcTable.commandLine(entry.pid()))));
      }
    } else {
      for (ProcessHandle handle : survivors()) {
        found.add(new ProcessInfo(handle.pid(), handle.parent().map(ProcessHandle::pid).orElse(-1L),
            handle.info().commandLine().orElse("")));
      }
    }
    found.sort((a, b) -> a.pid() == pid() ? -1 : b.pid() == pid() ? 1 : Long.compare(a.pid(), b.pid()));
    return found;
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
    // The members' SIGTERM first: done by now, but for a child that exits within microseconds of its own.
    membersSignalled.exceptionally(e -> null).join();
    if (ownGroup) {
      ProcessGroups.signalGroup(process.pid(), Signal.KILL);
    }
    Census seen = census;
    return CompletableFuture.supplyAsync(() -> {
      List<ProcessHandle> left = seen == null ? survivors() : survivorsSince(seen);
      killAll(left);
      return left.stream().map(ProcessHandle::pid).collect(Collectors.toList());
    }, SWEEPER);
  }

  /** Live processes of this child other than those already gone. */
  List<ProcessHandle> survivors() {
    List<ProcessHandle> found = new ArrayList<>();
    if (ProcTable.available()) {
      for (ProcTable.Entry entry : ProcTable.all()) {
        if (belongs(entry)) {
          ProcessHandle.of(entry.pid()).ifPresent(found::add);
        }
      }
      return found;
    }
    synchronized (seenDescendants) {
      process.descendants().forEach(seenDescendants::add);
      seenDescendants.stream().filter(ProcessHandle::isAlive).forEach(found::add);
    }
    if (process.isAlive()) {
      found.add(process);
    }
    return found;
  }

  /**
   * {@link #survivors()} after a {@link Census}: a process listed then that was not the child's is not read
   * again. It cannot have become the child's since — a group is joined by descent, the mark is inherited at
   * birth — unless it ended and its pid went to a new descendant within the milliseconds between: the kernel
   * hands out pids in ascending order up to {@code pid_max} (4,194,304 on 64-bit systems) before reusing one.
   */
  private List<ProcessHandle> survivorsSince(Census seen) {
    List<ProcessHandle> found = new ArrayList<>();
    for (long pid : ProcTable.pids()) {
      if (seen.listed().contains(pid) && !seen.ours().contains(pid)) {
        continue;
      }
      ProcTable.read(pid).filter(this::belongs).flatMap(entry -> ProcessHandle.of(pid)).ifPresent(found::add);
    }
    return found;
  }

  /** True if the process is alive and this child's: in its group, or marked with its id and started since. */
  private boolean belongs(ProcTable.Entry entry) {
    if (!entry.alive() || entry.pid() == ProcessHandle.current().pid()) {
      return false;
    }
    boolean inGroup = ownGroup && entry.pgid() == process.pid();
    return inGroup || entry.startTicks() >= startTicks
        && ProcTable.hasEnvironmentEntry(entry.pid(), UvProcessLauncher.CHILD_ID_VARIABLE, childId);
  }

  /** The pids {@code /proc} listed at the SIGTERM, and which of them were the child's. */
  private record Census(Set<Long> listed, Set<Long> ours) {
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
        process.descendants().forEach(seenDescendants::add);
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
    return getClass().getSimpleName() + "[pid=" + pid() + ", pgid=" + pgid() + "]";
  }
}
