package ru.txix.isp.pywrapper.supervisor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Starts {@link FakeChild}ren (pids 1001, 1002, …) and records every spec; can be told to fail. */
final class FakeLauncher implements ProcessLauncher {
  final List<LaunchSpec> specs = new ArrayList<>();
  final List<FakeChild> children = new ArrayList<>();
  private final Deque<String> failures = new ArrayDeque<>();
  private final List<String> history;
  boolean childrenIgnoreSigterm;

  FakeLauncher(List<String> history) {
    this.history = history;
  }

  /** The next launch fails with {@code cause}. */
  void failNext(String cause) {
    failures.add(cause);
  }

  FakeChild last() {
    return children.get(children.size() - 1);
  }

  @Override
  public ChildProcess launch(LaunchSpec spec) throws LaunchException {
    specs.add(spec);
    if (!failures.isEmpty()) {
      history.add("launch failed");
      throw new LaunchException(spec, failures.poll());
    }
    FakeChild child = new FakeChild(1001 + children.size(), childrenIgnoreSigterm, history);
    children.add(child);
    history.add("launch " + child.pid());
    return child;
  }

  /** A child that exits when told to, or on SIGTERM unless it ignores it, and always on SIGKILL. */
  static final class FakeChild implements ChildProcess {
    private final long pid;
    private final boolean ignoresSigterm;
    private final List<String> history;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    List<Long> leftovers = List.of();
    /** What the sweep after its exit finds; by default done at once, with {@link #leftovers}. */
    CompletableFuture<List<Long>> sweep;
    boolean sigtermFails;

    FakeChild(long pid, boolean ignoresSigterm, List<String> history) {
      this.pid = pid;
      this.ignoresSigterm = ignoresSigterm;
      this.history = history;
    }

    void exit(int code) {
      exit.complete(new ExitStatus(code));
    }

    boolean exited() {
      return exit.isDone();
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public long pgid() {
      return pid;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
      return exit;
    }

    @Override
    public void terminate() {
      history.add("SIGTERM " + pid);
      if (sigtermFails) {
        throw new IllegalStateException("kill(-" + pid + ", SIGTERM) failed: errno 1");
      }
      if (!ignoresSigterm) {
        exit(143);
      }
    }

    @Override
    public void kill() {
      history.add("SIGKILL " + pid);
      exit(137);
    }

    @Override
    public CompletableFuture<List<Long>> cleanUp() {
      history.add("cleanUp " + pid);
      return sweep != null ? sweep : CompletableFuture.completedFuture(leftovers);
    }
  }
}
