package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.List;

/** Writes the listener callbacks that matter to the tests into the shared history. */
final class RecordingSupervisorListener extends SupervisorListener {
  private final List<String> history;

  RecordingSupervisorListener(List<String> history) {
    this.history = history;
  }

  @Override
  public void stateChanged(SupervisorState from, SupervisorSnapshot snapshot) {
    history.add(from + " -> " + snapshot.state());
  }

  @Override
  public void processExited(long pid, ExitStatus status, boolean expected) {
    history.add("exited " + pid + " " + status.code() + (expected ? " expected" : " unexpected"));
  }

  @Override
  public void restartScheduled(Duration delay, RestartCause cause) {
    history.add("restart in " + delay.toMillis() + "ms (" + cause.label() + ")");
  }

  @Override
  public void stopEscalatedToKill(long pid) {
    history.add("escalated " + pid);
  }

  @Override
  public void configUnchanged() {
    history.add("config unchanged");
  }

  @Override
  public void leftoversKilled(List<Long> pids) {
    history.add("leftovers killed " + pids);
  }
}
