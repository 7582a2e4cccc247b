package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.List;

/**
 * Hears what the supervisor does; every method does nothing unless overridden (new methods can be added
 * without breaking implementations).
 *
 * <p>Process and state callbacks run on the supervisor thread after a transition has finished; address
 * delivery callbacks run on HTTP client threads. Callbacks must be fast and must not call back into the
 * supervisor's blocking methods. Exceptions are caught and logged.
 */
public abstract class SupervisorListener {

  /** The state changed; {@code snapshot} is the state after the change. */
  public void stateChanged(SupervisorState from, SupervisorSnapshot snapshot) {
  }

  /** A child was spawned. */
  public void processStarted(long pid, long pgid) {
  }

  /** The child accepts connections on its binding address. */
  public void processReady(long pid) {
  }

  /** The child exited; {@code expected} is true when the supervisor had asked it to stop. */
  public void processExited(long pid, ExitStatus status, boolean expected) {
  }

  /** A start attempt failed; {@code message} names the command, the folder and the cause. */
  public void startFailed(String message) {
  }

  /** The next start comes after {@code delay}. */
  public void restartScheduled(Duration delay, RestartCause cause) {
  }

  /** The child did not exit within the stop timeout and was sent SIGKILL. */
  public void stopEscalatedToKill(long pid) {
  }

  /** Processes of an exited child were still alive and were killed. */
  public void leftoversKilled(List<Long> pids) {
  }

  /**
   * The supervisor gave up: the child exited quickly {@code python.maxRestarts} times in a row. It is STOPPED;
   * the host exits 1.
   */
  public void gaveUp(String reason) {
  }

  /** A config equal to the current one arrived; the child was left alone. */
  public void configUnchanged() {
  }

  /** A new config was written to the config file. */
  public void configWritten() {
  }

  /** The child answered 2xx to the addresses of {@code module}. */
  public void addressesDelivered(String module, List<String> hosts, int attempts) {
  }

  /** Posting the addresses of {@code module} failed; it will be retried. */
  public void addressDeliveryFailed(String module, int attempt, String error) {
  }
}
