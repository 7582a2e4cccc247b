package ru.txix.isp.pywrapper.app;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import ru.txix.isp.pywrapper.config.RemoteConfigValidator;

/**
 * What an {@link Application} hosts and where.
 *
 * @param version the module's version
 * @param validator checks every remote config before the child gets it
 * @param environment the process environment (the host's, unless a test passes its own)
 * @param workingDirectory the Python project's root
 */
public record AppSpec(String version, RemoteConfigValidator validator, Map<String, String> environment,
                      Path workingDirectory) {
  public AppSpec {
    requireNonNull(version, "version");
    requireNonNull(validator, "validator");
    environment = Map.copyOf(environment);
    requireNonNull(workingDirectory, "workingDirectory");
  }

  /** The host's environment and working directory. */
  public static AppSpec forHost(String version, RemoteConfigValidator validator) {
    return new AppSpec(version, validator, System.getenv(), Path.of("").toAbsolutePath());
  }
}
