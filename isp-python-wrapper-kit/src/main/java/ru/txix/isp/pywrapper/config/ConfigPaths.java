package ru.txix.isp.pywrapper.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the files are, from the environment and the local config; relative paths count from the working
 * directory (the Python project's root).
 *
 * <table>
 *   <caption>Locations</caption>
 *   <tr><th>file</th><th>override</th><th>default</th></tr>
 *   <tr><td>local config</td><td>env {@code APP_CONFIG_PATH}</td>
 *       <td>{@code conf/config.yml} ({@code conf/config_dev.yml} if it exists and {@code APP_MODE=dev})</td></tr>
 *   <tr><td>offline remote config</td><td>key {@code remoteConfigPath}</td><td>{@code conf/config.json}</td></tr>
 *   <tr><td>default remote config</td><td>key {@code defaultRemoteConfigPath}</td>
 *       <td>{@code conf/default_remote_config.json}</td></tr>
 *   <tr><td>entry file</td><td>env {@code APP_PYTHON_PATH}</td><td>{@code main.py}</td></tr>
 *   <tr><td>child's config ({@code CONFIG_FILE})</td><td>env {@code APP_PYTHON_CONFIG_PATH}</td>
 *       <td>{@code .pywrapper/config.json}</td></tr>
 * </table>
 *
 * <p>The child's config lives by default in the host's own folder, {@value #HOST_FOLDER}, where no file of the
 * user's can be: the host creates it (with a {@code .gitignore} that ignores it all) and keeps there what it
 * writes — the config, its ownership note, the record of the running child.
 *
 * @param workingDirectory the Python project's root
 * @param offlineRemoteConfig the remote config file of offline mode
 * @param defaultRemoteConfig the default remote config sent to the config service
 * @param script the entry file as given to {@code uv run}
 * @param configFile the absolute path of the child's config file
 */
public record ConfigPaths(Path workingDirectory, Path offlineRemoteConfig, Path defaultRemoteConfig, String script,
                          Path configFile) {
  public static final String APP_CONFIG_PATH = "APP_CONFIG_PATH";
  public static final String APP_PYTHON_PATH = "APP_PYTHON_PATH";
  public static final String APP_PYTHON_CONFIG_PATH = "APP_PYTHON_CONFIG_PATH";
  /** The host's own folder in the project's root. */
  public static final String HOST_FOLDER = ".pywrapper";
  /** The child's config file unless {@code APP_PYTHON_CONFIG_PATH} names another. */
  public static final String DEFAULT_CONFIG_FILE = HOST_FOLDER + "/config.json";

  /** The local config file, before the config itself is read. */
  public static Path localConfig(Map<String, String> environment, Path workingDirectory, boolean devMode) {
    String override = environment.get(APP_CONFIG_PATH);
    if (override != null && !override.isBlank()) {
      return workingDirectory.resolve(override);
    }
    Path dev = workingDirectory.resolve("conf/config_dev.yml");
    if (devMode && Files.isRegularFile(dev)) {
      return dev;
    }
    return workingDirectory.resolve("conf/config.yml");
  }

  /** The entry file as given to {@code uv run}: {@code APP_PYTHON_PATH}, else {@code main.py}. */
  public static String script(Map<String, String> environment) {
    return orDefault(environment.get(APP_PYTHON_PATH), "main.py");
  }

  public static ConfigPaths resolve(Map<String, String> environment, Path workingDirectory, LocalConfig config) {
    return resolve(environment, workingDirectory, config.defaultRemoteConfigPath(), config.remoteConfigPath());
  }

  /** As above, from the two keys alone (null: the default location). */
  public static ConfigPaths resolve(Map<String, String> environment, Path workingDirectory,
                                    String defaultRemoteConfigPath, String remoteConfigPath) {
    Path root = workingDirectory.toAbsolutePath().normalize();
    return new ConfigPaths(root,
        root.resolve(orDefault(remoteConfigPath, "conf/config.json")),
        root.resolve(orDefault(defaultRemoteConfigPath, "conf/default_remote_config.json")),
        script(environment),
        root.resolve(orDefault(environment.get(APP_PYTHON_CONFIG_PATH), DEFAULT_CONFIG_FILE)).normalize());
  }

  /** The host's own folder, {@value #HOST_FOLDER} in the project's root. */
  public Path hostFolder() {
    return workingDirectory.resolve(HOST_FOLDER);
  }

  /** {@code path} relative to the working directory when it lies below it, for short messages. */
  public String display(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    return absolute.startsWith(workingDirectory) ? workingDirectory.relativize(absolute).toString() : absolute.toString();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
