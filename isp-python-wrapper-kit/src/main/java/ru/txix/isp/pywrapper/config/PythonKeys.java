package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;

/**
 * This library's own section of the local config, {@code python.*}: its defaults and how it is read (its keys
 * are checked with the rest, {@link ConfigKeys}).
 */
final class PythonKeys {
  /** The built-in values. */
  static final LocalConfig.PythonSettings DEFAULTS = new LocalConfig.PythonSettings("uv", List.of(),
      Duration.ofSeconds(60), SupervisorSettings.DEFAULTS, false, false);

  private PythonKeys() {
  }

  /** The {@code python.*} settings: the file and the environment, else {@code defaults}. */
  static LocalConfig.PythonSettings read(FlatConfig config, LocalConfig.PythonSettings defaults) {
    SupervisorSettings base = defaults.supervisor();
    SupervisorSettings.Liveness liveness = base.liveness();
    String path = config.string("python.liveness.path").map(String::strip).filter(p -> !p.isEmpty())
        .orElse(liveness.path());
    if (path != null && !path.startsWith("/")) {
      config.problem("python.liveness.path", "must start with /, got \"" + path + "\"");
      path = null;
    }
    Duration period = positive(config, "python.liveness.period", liveness.period());
    Duration timeout = positive(config, "python.liveness.timeout", liveness.timeout());
    int threshold = config.nonNegativeInteger("python.liveness.failureThreshold").orElse(liveness.failureThreshold());
    if (threshold < 1) {
      config.problem("python.liveness.failureThreshold", "must be at least 1, got " + threshold);
      threshold = liveness.failureThreshold();
    }
    SupervisorSettings supervisor = base.toBuilder()
        .restartDelay(config.duration("python.restartDelay").orElse(base.restartDelay()))
        .restartDelayMax(config.duration("python.restartDelayMax").orElse(base.restartDelayMax()))
        .backoffResetAfter(config.duration("python.backoffResetAfter").orElse(base.backoffResetAfter()))
        .maxRestarts(config.nonNegativeInteger("python.maxRestarts").orElse(base.maxRestarts()))
        .startRetryDelay(config.duration("python.startRetryDelay").orElse(base.startRetryDelay()))
        .stopTimeout(config.duration("python.stopTimeout").orElse(base.stopTimeout()))
        .configRestartInterval(config.duration("python.configRestartInterval").orElse(base.configRestartInterval()))
        .startTimeout(config.duration("python.startTimeout").orElse(base.startTimeout()))
        .startTimeoutAction(config.choice("python.startTimeoutAction", List.of("warn", "restart"))
            .map(action -> SupervisorSettings.StartTimeoutAction.valueOf(action.toUpperCase(Locale.ROOT)))
            .orElse(base.startTimeoutAction()))
        .liveness(new SupervisorSettings.Liveness(path, period, timeout, threshold))
        .build();
    return new LocalConfig.PythonSettings(
        config.string("python.uv").filter(s -> !s.isBlank()).map(String::strip).orElse(defaults.uv()),
        config.list("python.uvArgs").orElse(defaults.uvArgs()),
        config.duration("python.readinessTimeout").orElse(defaults.readinessTimeout()),
        supervisor,
        config.choice("python.socket", List.of("bind", "inherit")).map("inherit"::equals)
            .orElse(defaults.inheritSocket()),
        config.choice("python.readiness", List.of("connect", "notify")).map("notify"::equals)
            .orElse(defaults.notifyReadiness()));
  }

  private static Duration positive(FlatConfig config, String key, Duration fallback) {
    Duration value = config.duration(key).orElse(fallback);
    if (value.isZero()) {
      config.problem(key, "must be more than 0");
      return fallback;
    }
    return value;
  }
}
