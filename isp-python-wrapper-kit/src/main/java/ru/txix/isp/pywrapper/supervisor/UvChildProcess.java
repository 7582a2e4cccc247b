package ru.txix.isp.pywrapper.supervisor;

import java.util.concurrent.CompletableFuture;

/** A child started through the JDK ({@link UvProcessLauncher}): the JDK reaps it and reports its exit code. */
final class UvChildProcess extends GroupChild {
  private final CompletableFuture<ExitStatus> exit;

  UvChildProcess(Process process, boolean ownGroup, String childId) {
    super(process.toHandle(), ownGroup, childId);
    this.exit = process.onExit().handle((p, error) -> new ExitStatus(process.exitValue()));
  }

  @Override
  public CompletableFuture<ExitStatus> onExit() {
    return exit;
  }
}
