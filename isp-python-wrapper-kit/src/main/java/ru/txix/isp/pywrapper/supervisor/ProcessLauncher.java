package ru.txix.isp.pywrapper.supervisor;

/**
 * Starts children. In production the supervisor uses {@link NativeProcessLauncher} ({@code posix_spawn}) where it
 * can, else {@link UvProcessLauncher} (see {@link PySupervisorBuilder#launcher}); tests pass a fake so the state
 * machine runs without processes.
 */
@FunctionalInterface
interface ProcessLauncher {

  /**
   * Starts a child for {@code spec}. Called only on the supervisor thread; must not block for long.
   *
   * @throws LaunchException if nothing was started; its message is shown to the operator as is
   */
  ChildProcess launch(LaunchSpec spec) throws LaunchException;
}
