package ru.txix.isp.pywrapper.supervisor;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import ru.txix.isp.pywrapper.internal.json.Secrets;
import tools.jackson.databind.JsonNode;

/**
 * What the supervisor thread reacts to. Created by the public methods, by callbacks and by {@link Alarm}s; handled
 * in order. Each input goes to its own method of a {@link Handler}: a new kind of input is a new method there, which
 * every handler must implement, so no input can be dropped unhandled. An input that does not fit the phase returns
 * false and is logged at debug level.
 */
sealed interface SupervisorInput {

  /** Calls the handler's method for this input; true if it acted on it. */
  boolean dispatch(Handler handler);

  /** One method per input. */
  interface Handler {
    boolean configReceived(ConfigReceived input);

    boolean hostsReceived(HostsReceived input);

    boolean orphansReaped(OrphansReaped input);

    boolean processReady(ProcessReady input);

    boolean livenessChecked(LivenessChecked input);

    boolean processExited(ProcessExited input);

    boolean leftoversKilled(LeftoversKilled input);

    boolean startTimedOut(StartTimedOut input);

    boolean replacementDue(ReplacementDue input);

    boolean backoffOver(BackoffOver input);

    boolean killDue(KillDue input);

    boolean sweepsOverdue(SweepsOverdue input);

    boolean awaitRunning(AwaitRunning input);

    boolean stopRequested(StopRequested input);
  }

  /** A config for the child (already merged and validated). Its {@code toString} masks the secrets in it. */
  record ConfigReceived(JsonNode config) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.configReceived(this);
    }

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

    @Override
    public boolean dispatch(Handler handler) {
      return handler.hostsReceived(this);
    }
  }

  /** What a previous host's child left running was killed ({@code pids}); the first child may start. */
  record OrphansReaped(List<Long> pids) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.orphansReaped(this);
    }
  }

  /** The child of {@code generation} accepts connections. */
  record ProcessReady(long generation) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.processReady(this);
    }
  }

  /** A liveness check of the child of {@code generation}: empty when it passed, else why it failed. */
  record LivenessChecked(long generation, Optional<String> failure) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.livenessChecked(this);
    }
  }

  /** The child of {@code generation} exited. */
  record ProcessExited(long generation, ExitStatus status) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.processExited(this);
    }
  }

  /** The sweep after the child of {@code generation} finished; {@code pids} were still alive and were killed. */
  record LeftoversKilled(long generation, List<Long> pids) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.leftoversKilled(this);
    }
  }

  /** Alarm: the start timeout of the child starting now is over. */
  record StartTimedOut(long alarm) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.startTimedOut(this);
    }
  }

  /** Alarm: the child is to be replaced by one with the newer config (or the config file written again). */
  record ReplacementDue(long alarm) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.replacementDue(this);
    }
  }

  /** Alarm: the wait before the next start is over. */
  record BackoffOver(long alarm) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.backoffOver(this);
    }
  }

  /** Alarm: the leaving child of {@code generation} has had its stop timeout: SIGKILL. */
  record KillDue(long generation, long alarm) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.killDue(this);
    }
  }

  /** Alarm: the final stop has waited long enough for the last sweeps. */
  record SweepsOverdue(long alarm) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.sweepsOverdue(this);
    }
  }

  /** Complete {@code future} once a child accepts connections, after everything queued before this. */
  record AwaitRunning(CompletableFuture<Void> future) implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.awaitRunning(this);
    }
  }

  /** Stop for good. */
  record StopRequested() implements SupervisorInput {
    @Override
    public boolean dispatch(Handler handler) {
      return handler.stopRequested(this);
    }
  }
}
