package ru.txix.isp.pywrapper.app;

import java.util.Optional;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.http.HealthCheck;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.supervisor.ListeningReadinessProbe;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import ru.txix.isp.pywrapper.supervisor.SupervisorState;

/** The host's health components. */
final class HealthChecks {
  static final String CONFIG_SERVICE_CONNECTION = "configServiceConnection";
  static final String REMOTE_CONFIG = "remoteConfig";
  static final String PYTHON_PROCESS = "pythonProcess";

  private HealthChecks() {
  }

  /**
   * Passes only while a config-service session is active (as isp-kit's); otherwise {@code session inactive} and
   * what happened last, e.g. {@code session inactive: 3 failed attempts in 2150ms; last: 127.0.0.1:9001: refused
   * MODULE:SEND_CONFIG_SCHEMA: …}.
   */
  static HealthCheck configServiceConnection(Supplier<Optional<String>> inactiveReason) {
    return inactiveReason::get;
  }

  /** Passes when the last remote config received was valid; otherwise says why it was rejected. */
  static HealthCheck remoteConfig(RemoteConfigStatus status) {
    return () -> {
      RemoteConfigStatus.Snapshot snapshot = status.snapshot();
      return snapshot.lastValid() ? Optional.empty() : Optional.of(snapshot.message());
    };
  }

  /**
   * Passes when the child is running and accepts a TCP connection on its binding address right now;
   * otherwise names the state, e.g. "backoff: restarting in 4s after exit code 1 (2 quick exits in a row)", or
   * "backoff: start failed, retrying in 2000ms: BINDING_ADDRESS 127.0.0.1:9200 is already in use: …".
   */
  static HealthCheck pythonProcess(Supplier<SupervisorSnapshot> supervisor, BindingAddress binding) {
    return () -> {
      SupervisorSnapshot snapshot = supervisor.get();
      if (snapshot.state() != SupervisorState.RUNNING) {
        return Optional.of(snapshot.state().name().toLowerCase() + ": " + snapshot.detail());
      }
      if (!ListeningReadinessProbe.accepts(binding.connectAddress())) {
        return Optional.of("running (pid " + snapshot.pid() + ") but not accepting connections on " + binding);
      }
      return Optional.empty();
    };
  }
}
