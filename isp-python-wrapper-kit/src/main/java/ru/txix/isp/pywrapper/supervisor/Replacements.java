package ru.txix.isp.pywrapper.supervisor;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * When a child that starts or runs is to be replaced for the last config received: the config is written at once,
 * and the child replaced once it has run {@code configRestartInterval} (configs arriving meanwhile join that
 * replacement); a config file that cannot be written is tried again every {@code startRetryDelay}, the child going
 * on with its config meanwhile; a config back to the child's own cancels the replacement. Answers with the wait:
 * {@code null} for none, zero for now. Confined to the supervisor thread.
 */
final class Replacements {
  private final SupervisorSettings settings;
  private final ConfigBook configs;
  private final BooleanSupplier writeConfig;
  private final SupervisorLog log;
  private final LongSupplier nanoTime;

  /** {@code writeConfig} writes the last config received, and is false (logged) when it could not. */
  Replacements(SupervisorSettings settings, ConfigBook configs, BooleanSupplier writeConfig, SupervisorLog log,
               LongSupplier nanoTime) {
    this.settings = settings;
    this.configs = configs;
    this.writeConfig = writeConfig;
    this.log = log;
    this.nanoTime = nanoTime;
  }

  /** A new config arrived while {@code child} starts or runs. */
  Duration afterNewConfig(Child child) {
    if (!writeConfig.getAsBoolean()) {
      log.configKeptPrevious(settings.startRetryDelay());
      return settings.startRetryDelay();
    }
    if (configs.isDesired(child.config)) {
      log.configBackToTheChilds();
      return null;
    }
    Duration wait = untilInterval(child);
    if (!wait.isZero()) {
      log.replacementWaits(wait, settings.configRestartInterval());
    }
    return wait;
  }

  /** The replacement of {@code child} came due: the file brought up to date first. */
  Duration due(Child child) {
    if (!configs.fileCurrent() && !writeConfig.getAsBoolean()) {
      return settings.startRetryDelay();
    }
    return configs.isDesired(child.config) ? null : Duration.ZERO;
  }

  /** For a child that starts or just became ready: replaced once it has run a moment, if it is behind. */
  Duration pending(Child child) {
    return configs.isDesired(child.config) && configs.fileCurrent() ? null : untilInterval(child);
  }

  private Duration untilInterval(Child child) {
    Duration wait = settings.configRestartInterval().minusNanos(nanoTime.getAsLong() - child.startNanos);
    return wait.isNegative() ? Duration.ZERO : wait;
  }
}
