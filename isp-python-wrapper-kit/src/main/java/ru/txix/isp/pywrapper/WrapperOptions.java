package ru.txix.isp.pywrapper;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Knobs of {@link PythonWrapper} for those who need them; everything has a sensible default.
 *
 * <pre>{@code
 * WrapperOptions.builder().uvArgs("--frozen").stopTimeout(Duration.ofSeconds(10)).build()
 * }</pre>
 *
 * <p>The Python settings here are code-level defaults: the {@code python.*} keys of {@code conf/config.yml} (and
 * their environment overrides) still win, so operators can tune a deployment without a rebuild. A setting left
 * out here takes the built-in default listed in the README's configuration reference.
 *
 * <p>Immutable; build one with {@link #builder()}.
 */
public final class WrapperOptions {
  /** Nothing set: every default. */
  public static final WrapperOptions DEFAULTS = builder().build();

  private final String uv;
  private final List<String> uvArgs;
  private final Duration restartDelay;
  private final Duration startRetryDelay;
  private final Duration stopTimeout;
  private final Duration configRestartInterval;
  private final Duration readinessTimeout;
  private final Path workingDirectory;
  private final Map<String, String> environment;

  private WrapperOptions(Builder builder) {
    this.uv = builder.uv;
    this.uvArgs = builder.uvArgs;
    this.restartDelay = builder.restartDelay;
    this.startRetryDelay = builder.startRetryDelay;
    this.stopTimeout = builder.stopTimeout;
    this.configRestartInterval = builder.configRestartInterval;
    this.readinessTimeout = builder.readinessTimeout;
    this.workingDirectory = builder.workingDirectory;
    this.environment = builder.environment;
  }

  /**
   * A builder with nothing set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the uv executable, if set */
  public Optional<String> uv() {
    return Optional.ofNullable(uv);
  }

  /** @return the arguments between {@code uv run} and the script, if set */
  public Optional<List<String>> uvArgs() {
    return Optional.ofNullable(uvArgs);
  }

  /** @return the wait after the child exited before the first restart, if set */
  public Optional<Duration> restartDelay() {
    return Optional.ofNullable(restartDelay);
  }

  /** @return the wait after a failed start, if set */
  public Optional<Duration> startRetryDelay() {
    return Optional.ofNullable(startRetryDelay);
  }

  /** @return the SIGTERM grace before SIGKILL, if set */
  public Optional<Duration> stopTimeout() {
    return Optional.ofNullable(stopTimeout);
  }

  /** @return the window in which configs collapse into one restart, if set */
  public Optional<Duration> configRestartInterval() {
    return Optional.ofNullable(configRestartInterval);
  }

  /** @return the longest wait for the child to accept connections before {@code MODULE:READY}, if set */
  public Optional<Duration> readinessTimeout() {
    return Optional.ofNullable(readinessTimeout);
  }

  /** @return the Python project's root (default: the working directory) */
  public Path workingDirectory() {
    return workingDirectory;
  }

  /** @return the environment seen by the host and the child (default: the process's) */
  public Map<String, String> environment() {
    return environment;
  }

  @Override
  public String toString() {
    return "WrapperOptions[uv=" + uv + ", uvArgs=" + uvArgs + ", restartDelay=" + restartDelay
        + ", startRetryDelay=" + startRetryDelay + ", stopTimeout=" + stopTimeout + ", configRestartInterval="
        + configRestartInterval + ", readinessTimeout=" + readinessTimeout + ", workingDirectory="
        + workingDirectory + "]";
  }

  /** Builds {@link WrapperOptions}. Each setter checks its value; nothing is required. */
  public static final class Builder {
    private String uv;
    private List<String> uvArgs;
    private Duration restartDelay;
    private Duration startRetryDelay;
    private Duration stopTimeout;
    private Duration configRestartInterval;
    private Duration readinessTimeout;
    private Path workingDirectory = Path.of("").toAbsolutePath();
    private Map<String, String> environment = System.getenv();

    private Builder() {
    }

    /**
     * The uv executable (default {@code uv}, looked up on {@code PATH}).
     *
     * @param uv a name on {@code PATH} or a path
     * @return this builder
     */
    public Builder uv(String uv) {
      requireNonNull(uv, "uv");
      if (uv.isBlank()) {
        throw new IllegalArgumentException("uv must not be blank");
      }
      this.uv = uv;
      return this;
    }

    /**
     * Arguments between {@code uv run} and the script, e.g. {@code --frozen} or {@code --no-sync} (default none).
     *
     * @param args the arguments, in order
     * @return this builder
     */
    public Builder uvArgs(String... args) {
      this.uvArgs = List.of(args);
      return this;
    }

    /**
     * Wait after the child exited before the first restart (default 2 s).
     *
     * @param value a non-negative duration
     * @return this builder
     */
    public Builder restartDelay(Duration value) {
      this.restartDelay = nonNegative(value, "restartDelay");
      return this;
    }

    /**
     * Wait after a failed start before the next attempt (default 2 s).
     *
     * @param value a non-negative duration
     * @return this builder
     */
    public Builder startRetryDelay(Duration value) {
      this.startRetryDelay = nonNegative(value, "startRetryDelay");
      return this;
    }

    /**
     * SIGTERM grace before SIGKILL (default 5 s).
     *
     * @param value a non-negative duration
     * @return this builder
     */
    public Builder stopTimeout(Duration value) {
      this.stopTimeout = nonNegative(value, "stopTimeout");
      return this;
    }

    /**
     * Configs within this time of a start collapse into one restart (default 1.5 s).
     *
     * @param value a non-negative duration
     * @return this builder
     */
    public Builder configRestartInterval(Duration value) {
      this.configRestartInterval = nonNegative(value, "configRestartInterval");
      return this;
    }

    /**
     * Longest wait for the child to accept connections before {@code MODULE:READY} (default 60 s).
     *
     * @param value a non-negative duration
     * @return this builder
     */
    public Builder readinessTimeout(Duration value) {
      this.readinessTimeout = nonNegative(value, "readinessTimeout");
      return this;
    }

    /**
     * The Python project's root: where {@code main.py}, {@code pyproject.toml} and {@code conf/} are
     * (default: the working directory).
     *
     * @param value the folder
     * @return this builder
     */
    public Builder workingDirectory(Path value) {
      workingDirectory = requireNonNull(value, "workingDirectory").toAbsolutePath();
      return this;
    }

    /**
     * The environment seen by the host and given to the child (default: the process's). Meant for tests.
     *
     * @param value the variables
     * @return this builder
     */
    public Builder environment(Map<String, String> value) {
      environment = Map.copyOf(requireNonNull(value, "environment"));
      return this;
    }

    /** @return the options */
    public WrapperOptions build() {
      return new WrapperOptions(this);
    }

    private static Duration nonNegative(Duration value, String name) {
      requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative but was " + value);
      }
      return value;
    }
  }
}
