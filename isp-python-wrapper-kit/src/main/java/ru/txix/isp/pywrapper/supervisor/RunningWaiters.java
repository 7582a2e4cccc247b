package ru.txix.isp.pywrapper.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The futures of {@link PySupervisor#awaitRunning()} still waiting for a child that accepts connections with the last
 * config received. Confined to the supervisor thread.
 */
final class RunningWaiters {
  private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

  void add(CompletableFuture<Void> future) {
    waiting.add(future);
  }

  /** Such a child runs now. */
  void running() {
    waiting.forEach(future -> future.complete(null));
    waiting.clear();
  }

  /** None will: the supervisor stopped. */
  void stopped() {
    waiting.forEach(future -> future.completeExceptionally(new IllegalStateException("the supervisor stopped")));
    waiting.clear();
  }
}
