package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.net.HostPort;

/**
 * The local config ({@code conf/config.yml} plus environment overrides), with defaults applied. Keys and
 * defaults follow isp-kit; {@link #python()} is this library's own section.
 *
 * @param moduleName the module's name on the platform
 * @param configServiceAddress config-service instances ({@code ip} and {@code port} split on {@code ;});
 *     empty in offline mode when not set
 * @param grpcInnerAddress where the Python child listens ({@code BINDING_ADDRESS})
 * @param grpcOuterAddress what is advertised to the platform ({@code ip} empty = detect)
 * @param remoteConfigOverride the JSON object merged into every remote config ({@link RemoteConfigOverride#NONE}: none)
 * @param remoteConfigReceiverTimeout limit for applying one remote config (5 s)
 * @param defaultRemoteConfigPath the default remote config file, or null for the default location
 * @param remoteConfigPath the offline remote config file, or null for the default location
 * @param infraServerPort port of the health/metrics server ({@code grpcInnerAddress.port + 1})
 * @param infraServerPortSet true when {@code infraServerPort} was set, false when it was derived
 * @param healthcheckHandlerTimeout limit for one health check (1 s)
 * @param metricsAutodiscovery whether and how metrics are announced to the platform
 * @param python how the Python child is run
 */
public record LocalConfig(String moduleName, List<HostPort> configServiceAddress, BindingAddress grpcInnerAddress,
                          OuterAddress grpcOuterAddress, RemoteConfigOverride remoteConfigOverride,
                          Duration remoteConfigReceiverTimeout, String defaultRemoteConfigPath,
                          String remoteConfigPath, int infraServerPort, boolean infraServerPortSet,
                          Duration healthcheckHandlerTimeout,
                          MetricsAutodiscovery metricsAutodiscovery, PythonSettings python) {
  public LocalConfig {
    configServiceAddress = List.copyOf(configServiceAddress);
  }

  /** The advertised address: {@code ip} may be empty, meaning "detect the host's address". */
  public record OuterAddress(String ip, int port) {
  }

  /** {@code metricsAutodiscovery}: off by default; {@code address} empty = broadcast host + infra port. */
  public record MetricsAutodiscovery(boolean enable, String address, Map<String, String> additionalLabels) {
    public MetricsAutodiscovery {
      additionalLabels = Map.copyOf(additionalLabels);
    }
  }

  /**
   * {@code python.*}: how the child is run.
   *
   * @param uv the uv executable (name on PATH or path), default {@code uv}
   * @param uvArgs arguments between {@code uv run} and the script, e.g. {@code [--frozen]}
   * @param readinessTimeout cluster mode: longest wait for the child to accept before MODULE:READY (60 s)
   * @param supervisor the supervisor's timings and limits (restart back-off, stop timeout, start timeout,
   *     liveness…) as set
   * @param inheritSocket {@code python.socket: inherit}: the host binds {@code BINDING_ADDRESS} and hands the
   *     listening socket to every child as fd 3 ({@code bind}, the default: the child binds it itself)
   * @param notifyReadiness {@code python.readiness: notify}: a child is ready when it sends {@code READY=1} to
   *     {@code NOTIFY_SOCKET} ({@code connect}, the default: when its socket listens)
   */
  public record PythonSettings(String uv, List<String> uvArgs, Duration readinessTimeout,
                               SupervisorKeys supervisor, boolean inheritSocket, boolean notifyReadiness) {
    public PythonSettings {
      uvArgs = List.copyOf(uvArgs);
    }
  }

  /**
   * The supervisor's keys ({@code python.restartDelay} …) as set — in the file, the environment or the
   * {@code WrapperOptions} — each empty where none sets it: the supervisor's own default applies then.
   *
   * @param restartOnStartTimeout {@code python.startTimeoutAction}: true for {@code restart}, false for
   *     {@code warn}
   */
  public record SupervisorKeys(Optional<Duration> restartDelay, Optional<Duration> restartDelayMax,
                               Optional<Duration> backoffResetAfter, Optional<Integer> maxRestarts,
                               Optional<Duration> startRetryDelay, Optional<Duration> stopTimeout,
                               Optional<Duration> configRestartInterval, Optional<Duration> startTimeout,
                               Optional<Boolean> restartOnStartTimeout, Liveness liveness) {
  }

  /** {@code python.liveness.*} as set; no {@code path}: no liveness check. */
  public record Liveness(Optional<String> path, Optional<Duration> period, Optional<Duration> timeout,
                         Optional<Integer> failureThreshold) {
  }
}
