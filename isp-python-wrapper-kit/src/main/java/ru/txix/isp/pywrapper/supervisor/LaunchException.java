package ru.txix.isp.pywrapper.supervisor;

/** A child could not be started. The message names the command, the folder and the cause. */
final class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;

  public LaunchException(LaunchSpec spec, String cause) {
    this(spec, cause, null);
  }

  public LaunchException(LaunchSpec spec, String cause, Throwable throwable) {
    super("Cannot start `" + spec.commandLine() + "` in " + spec.directory().toAbsolutePath() + ": " + cause,
        throwable);
  }
}
