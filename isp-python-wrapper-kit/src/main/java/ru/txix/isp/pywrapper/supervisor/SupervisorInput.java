package ru.txix.isp.pywrapper.supervisor;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import ru.txix.isp.pywrapper.internal.json.Secrets;
import tools.jackson.databind.JsonNode;

/** What the supervisor thread reacts to. Created by the public methods and by callbacks; handled in order. */
sealed interface SupervisorInput {

  /** A config for the child (already merged and validated). Its {@code toString} masks the secrets in it. */
  record ConfigReceived(JsonNode config) implements SupervisorInput {
    @Override
    public String toString() {
      return "ConfigReceived[config=" + Secrets.mask(config) + "]";
    }
  }

  /** The full current host list of a required module. */
  record HostsReceived(String module, List<String> hosts) implements SupervisorInput {
    public HostsReceived {
      hosts = List.copyOf(hosts);
    }
  }

  /** The child of {@code generation} exited. */
  record ProcessExited(long generation, ExitStatus status) implements SupervisorInput {
  }

  /** The child of {@code generation} accepts connections. */
  record ProcessReady(long generation) implements SupervisorInput {
  }

  /** A liveness check of the child of {@code generation}: empty when it passed, else why it failed. */
  record LivenessChecked(long generation, Optional<String> failure) implements SupervisorInput {
  }

  /** A child stopped after an overlap (generation {@code generation}) is due for SIGKILL. */
  record RetiredKillDue(long generation) implements SupervisorInput {
  }

  /** The timer numbered {@code token} fired; stale tokens are ignored. */
  record TimerFired(long token) implements SupervisorInput {
  }

  /** The search for what an exited child left alive finished; {@code pids} were killed. */
  record LeftoversKilled(ChildProcess child, List<Long> pids) implements SupervisorInput {
  }

  /** Complete {@code future} once a child accepts connections, after everything queued before this. */
  record AwaitRunning(CompletableFuture<Void> future) implements SupervisorInput {
  }

  /** Stop for good. */
  record StopRequested() implements SupervisorInput {
  }
}
