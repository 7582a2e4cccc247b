package ru.txix.isp.pywrapper.supervisor;

import java.util.Optional;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;

/** Checks a running child's liveness now and then. */
@FunctionalInterface
interface LivenessProbe {
  /** Never checks (liveness off, or tests that do not care). */
  LivenessProbe NONE = (binding, liveness, result) -> Cancellable.NONE;

  /**
   * Checks {@code binding} every {@code liveness.period()} and reports each result: empty when it passed,
   * else why it failed. Cancelling stops the checks.
   */
  Cancellable watch(BindingAddress binding, SupervisorSettings.Liveness liveness,
                    Consumer<Optional<String>> result);
}
