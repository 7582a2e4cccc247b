package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import ru.txix.isp.pywrapper.WrapperOptions;

/**
 * This library's own section of the local config, {@code python.*}: how it is read (its keys are checked with the
 * rest, {@link ConfigKeys}). A key's value comes from the environment or the file, else from the
 * {@link WrapperOptions} a {@code main} passed, else the default: this section's own ({@code uv}, no
 * {@code uvArgs}, 60 s, {@code bind}, {@code connect}), or — for the supervisor's keys — the supervisor's.
 */
final class PythonKeys {
  static final String UV = "uv";
  static final Duration READINESS_TIMEOUT = Duration.ofSeconds(60);

  private PythonKeys() {
  }

  /** The {@code python.*} settings: the file and the environment, else {@code options}, else the defaults. */
  static LocalConfig.PythonSettings read(FlatConfig config, WrapperOptions options) {
    Optional<String> path = config.string("python.liveness.path").map(String::strip).filter(p -> !p.isEmpty());
    if (path.isPresent() && !path.get().startsWith("/")) {
      config.problem("python.liveness.path", "must start with /, got \"" + path.get() + "\"");
      path = Optional.empty();
    }
    Optional<Integer> threshold = config.nonNegativeInteger("python.liveness.failureThreshold");
    if (threshold.isPresent() && threshold.get() < 1) {
      config.problem("python.liveness.failureThreshold", "must be at least 1, got " + threshold.get());
      threshold = Optional.empty();
    }
    LocalConfig.Liveness liveness = new LocalConfig.Liveness(path, positive(config, "python.liveness.period"),
        positive(config, "python.liveness.timeout"), threshold);
    LocalConfig.SupervisorKeys supervisor = new LocalConfig.SupervisorKeys(
        config.duration("python.restartDelay").or(options::restartDelay),
        config.duration("python.restartDelayMax"),
        config.duration("python.backoffResetAfter"),
        config.nonNegativeInteger("python.maxRestarts"),
        config.duration("python.startRetryDelay").or(options::startRetryDelay),
        config.duration("python.stopTimeout").or(options::stopTimeout),
        config.duration("python.configRestartInterval").or(options::configRestartInterval),
        config.duration("python.startTimeout"),
        config.choice("python.startTimeoutAction", List.of("warn", "restart")).map("restart"::equals),
        liveness);
    return new LocalConfig.PythonSettings(
        config.string("python.uv").filter(s -> !s.isBlank()).map(String::strip).or(options::uv).orElse(UV),
        config.list("python.uvArgs").or(options::uvArgs).orElse(List.of()),
        config.duration("python.readinessTimeout").or(options::readinessTimeout).orElse(READINESS_TIMEOUT),
        supervisor,
        config.choice("python.socket", List.of("bind", "inherit")).map("inherit"::equals).orElse(false),
        config.choice("python.readiness", List.of("connect", "notify")).map("notify"::equals).orElse(false));
  }

  /** A duration that must be more than 0 (a problem otherwise). */
  private static Optional<Duration> positive(FlatConfig config, String key) {
    Optional<Duration> value = config.duration(key);
    if (value.isPresent() && value.get().isZero()) {
      config.problem(key, "must be more than 0");
      return Optional.empty();
    }
    return value;
  }
}
