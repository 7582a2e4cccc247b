package ru.txix.isp.pywrapper.supervisor;

import java.util.concurrent.CompletableFuture;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;
import ru.txix.isp.pywrapper.internal.posix.ProcessGroups;
import ru.txix.isp.pywrapper.internal.posix.Signal;

/**
 * A child started with {@code posix_spawn} ({@link NativeProcessLauncher}). The JDK notices its exit without
 * reaping it ({@code waitid} with {@code WNOWAIT}); while the leader is an unreaped zombie its pid and group id
 * cannot be reused, so what is left of the group is killed first, then the leader is reaped for its exit code.
 */
final class NativeChildProcess extends GroupChild {
  private final CompletableFuture<ExitStatus> exit;

  NativeChildProcess(int pid, String childId) {
    super(ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("spawned child " + pid + " is gone")),
        true, childId);
    this.exit = ProcessHandle.of(pid).map(ProcessHandle::onExit).orElseGet(CompletableFuture::new)
        .handle((handle, error) -> {
          ProcessGroups.signalGroup(pid, Signal.KILL);
          return new ExitStatus(NativeSpawn.reap(pid));
        });
  }

  @Override
  public CompletableFuture<ExitStatus> onExit() {
    return exit;
  }
}
