package ru.txix.isp.pywrapper;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.LocalConfigLoader;

/**
 * Knobs of {@link PythonWrapper} for those who need them; everything has a sensible default.
 *
 * <pre>{@code
 * WrapperOptions.builder().uvArgs("--frozen").stopTimeout(Duration.ofSeconds(10)).build()
 * }</pre>
 *
 * <p>The Python settings here are code-level defaults: the {@code python.*} keys of {@code conf/config.yml} (and
 * their environment overrides) still win, so operators can tune a deployment without a rebuild.
 *
 * @param python uv, its arguments and the supervisor's timings
 * @param workingDirectory the Python project's root (default: the working directory)
 * @param environment the environment seen by the host and the child (default: the process's)
 */
public record WrapperOptions(LocalConfig.PythonSettings python, Path workingDirectory,
                             Map<String, String> environment) {
  /** Every default. */
  public static final WrapperOptions DEFAULTS = builder().build();

  public WrapperOptions {
    requireNonNull(python, "python");
    requireNonNull(workingDirectory, "workingDirectory");
    environment = Map.copyOf(environment);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link WrapperOptions}. */
  public static final class Builder {
    private LocalConfig.PythonSettings python = LocalConfigLoader.DEFAULT_PYTHON;
    private Path workingDirectory = Path.of("").toAbsolutePath();
    private Map<String, String> environment = System.getenv();

    private Builder() {
    }

    /** The uv executable: a name on {@code PATH} (default {@code uv}) or a path. */
    public Builder uv(String uv) {
      python = new LocalConfig.PythonSettings(requireNonNull(uv, "uv"), python.uvArgs(), python.restartDelay(),
          python.startRetryDelay(), python.stopTimeout(), python.configRestartInterval(), python.readinessTimeout());
      return this;
    }

    /** Arguments between {@code uv run} and the script, e.g. {@code --frozen} or {@code --no-sync}. */
    public Builder uvArgs(String... args) {
      python = new LocalConfig.PythonSettings(python.uv(), List.of(args), python.restartDelay(),
          python.startRetryDelay(), python.stopTimeout(), python.configRestartInterval(), python.readinessTimeout());
      return this;
    }

    /** Wait after the child exited before starting it again (default 2 s). */
    public Builder restartDelay(Duration value) {
      python = new LocalConfig.PythonSettings(python.uv(), python.uvArgs(), value, python.startRetryDelay(),
          python.stopTimeout(), python.configRestartInterval(), python.readinessTimeout());
      return this;
    }

    /** Wait after a failed start before the next attempt (default 2 s). */
    public Builder startRetryDelay(Duration value) {
      python = new LocalConfig.PythonSettings(python.uv(), python.uvArgs(), python.restartDelay(), value,
          python.stopTimeout(), python.configRestartInterval(), python.readinessTimeout());
      return this;
    }

    /** SIGTERM grace before SIGKILL (default 5 s). */
    public Builder stopTimeout(Duration value) {
      python = new LocalConfig.PythonSettings(python.uv(), python.uvArgs(), python.restartDelay(),
          python.startRetryDelay(), value, python.configRestartInterval(), python.readinessTimeout());
      return this;
    }

    /** Configs within this time of a start collapse into one restart (default 1.5 s). */
    public Builder configRestartInterval(Duration value) {
      python = new LocalConfig.PythonSettings(python.uv(), python.uvArgs(), python.restartDelay(),
          python.startRetryDelay(), python.stopTimeout(), value, python.readinessTimeout());
      return this;
    }

    /** Longest wait for the child to accept connections before {@code MODULE:READY} (default 60 s). */
    public Builder readinessTimeout(Duration value) {
      python = new LocalConfig.PythonSettings(python.uv(), python.uvArgs(), python.restartDelay(),
          python.startRetryDelay(), python.stopTimeout(), python.configRestartInterval(), value);
      return this;
    }

    /** The Python project's root: where {@code main.py}, {@code pyproject.toml} and {@code conf/} are. */
    public Builder workingDirectory(Path value) {
      workingDirectory = requireNonNull(value, "workingDirectory").toAbsolutePath();
      return this;
    }

    /** The environment (for tests; default: the process's). */
    public Builder environment(Map<String, String> value) {
      environment = requireNonNull(value, "environment");
      return this;
    }

    public WrapperOptions build() {
      return new WrapperOptions(python, workingDirectory, environment);
    }
  }
}
