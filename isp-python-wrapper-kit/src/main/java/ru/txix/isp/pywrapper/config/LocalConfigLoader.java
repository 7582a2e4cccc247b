package ru.txix.isp.pywrapper.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.supervisor.BindingAddress;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the local config: YAML file, then environment overrides, then defaults and checks. See
 * {@link FlatConfig} for the key rules (isp-kit's, except that {@code =} inside an environment value is kept).
 */
public final class LocalConfigLoader {
  /** Environment variable: prefix that environment overrides must carry (may be empty). */
  public static final String ENV_PREFIX_VARIABLE = "APP_CONFIG_ENV_PREFIX";

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final SupervisorSettings DEFAULTS = SupervisorSettings.DEFAULTS;
  /** The built-in {@code python.*} values. */
  public static final LocalConfig.PythonSettings DEFAULT_PYTHON = new LocalConfig.PythonSettings("uv", List.of(),
      DEFAULTS.restartDelay(), DEFAULTS.startRetryDelay(), DEFAULTS.stopTimeout(), DEFAULTS.configRestartInterval(),
      Duration.ofSeconds(60));

  private LocalConfigLoader() {
  }

  /**
   * Loads {@code file}; {@code displayName} is how errors name it (e.g. {@code conf/config.yml}).
   * In {@code clusterMode} the keys needed to reach the platform are required too.
   *
   * @throws ConfigException one line naming the file or variable, the key and the problem
   */
  public static LocalConfig load(Path file, String displayName, Map<String, String> environment,
                                 boolean clusterMode) {
    return load(file, displayName, environment, clusterMode, DEFAULT_PYTHON);
  }

  /** As above; {@code pythonDefaults} fill the {@code python.*} keys the file and the environment leave out. */
  public static LocalConfig load(Path file, String displayName, Map<String, String> environment,
                                 boolean clusterMode, LocalConfig.PythonSettings pythonDefaults) {
    FlatConfig config = FlatConfig.of(displayName, readYaml(file, displayName), environment,
        environment.getOrDefault(ENV_PREFIX_VARIABLE, ""));

    String moduleName = config.requiredString("moduleName");
    BindingAddress inner = new BindingAddress(config.requiredString("grpcInnerAddress.ip"),
        config.requiredPort("grpcInnerAddress.port"));
    List<HostPort> services = configServiceAddress(config, clusterMode);
    int outerPort = clusterMode ? config.requiredPort("grpcOuterAddress.port")
        : config.port("grpcOuterAddress.port").orElse(inner.port());
    LocalConfig.OuterAddress outer =
        new LocalConfig.OuterAddress(config.string("grpcOuterAddress.ip").orElse("").strip(), outerPort);
    int infraPort = config.port("infraServerPort").orElseGet(() -> {
      if (inner.port() == 65535) {
        throw config.error("infraServerPort", "must be set when grpcInnerAddress.port is 65535");
      }
      return inner.port() + 1;
    });

    LocalConfig.MetricsAutodiscovery metrics = new LocalConfig.MetricsAutodiscovery(
        config.bool("metricsAutodiscovery.enable").orElse(false),
        config.string("metricsAutodiscovery.address").orElse("").strip(),
        config.map("metricsAutodiscovery.additionalLabels"));

    LocalConfig.PythonSettings python = new LocalConfig.PythonSettings(
        config.string("python.uv").filter(s -> !s.isBlank()).orElse(pythonDefaults.uv()),
        config.list("python.uvArgs").orElse(pythonDefaults.uvArgs()),
        config.duration("python.restartDelay").orElse(pythonDefaults.restartDelay()),
        config.duration("python.startRetryDelay").orElse(pythonDefaults.startRetryDelay()),
        config.duration("python.stopTimeout").orElse(pythonDefaults.stopTimeout()),
        config.duration("python.configRestartInterval").orElse(pythonDefaults.configRestartInterval()),
        config.duration("python.readinessTimeout").orElse(pythonDefaults.readinessTimeout()));

    return new LocalConfig(moduleName, services, inner, outer,
        config.string("remoteConfigOverride").filter(s -> !s.isBlank()).orElse(null),
        positive(config, "remoteConfigReceiverTimeout", Duration.ofSeconds(5)),
        config.string("defaultRemoteConfigPath").filter(s -> !s.isBlank()).orElse(null),
        config.string("remoteConfigPath").filter(s -> !s.isBlank()).orElse(null),
        infraPort,
        positive(config, "healthcheckHandlerTimeout", Duration.ofSeconds(1)),
        metrics, python);
  }

  private static Duration positive(FlatConfig config, String key, Duration fallback) {
    Duration value = config.duration(key).orElse(fallback);
    return value.isZero() ? fallback : value;
  }

  private static List<HostPort> configServiceAddress(FlatConfig config, boolean required) {
    if (!required && config.string("configServiceAddress.ip").filter(s -> !s.isBlank()).isEmpty()) {
      return List.of();
    }
    String[] hosts = config.requiredString("configServiceAddress.ip").split(";", -1);
    String[] ports = config.requiredString("configServiceAddress.port").split(";", -1);
    if (hosts.length != ports.length) {
      throw config.error("configServiceAddress.port", hosts.length + " hosts but " + ports.length
          + " ports: ip and port are ';'-separated lists of the same length");
    }
    List<HostPort> endpoints = new ArrayList<>();
    for (int i = 0; i < hosts.length; i++) {
      String host = hosts[i].strip();
      if (host.isEmpty()) {
        throw config.error("configServiceAddress.ip", "entry " + (i + 1) + " is empty");
      }
      int port;
      try {
        port = Integer.parseInt(ports[i].strip());
      } catch (NumberFormatException e) {
        throw config.error("configServiceAddress.port", "entry " + (i + 1) + " must be a port, got \""
            + ports[i] + "\"");
      }
      if (port < 1 || port > 65535) {
        throw config.error("configServiceAddress.port", "entry " + (i + 1) + " must be a port in 1..65535, got "
            + port);
      }
      endpoints.add(new HostPort(host, port));
    }
    return endpoints;
  }

  private static JsonNode readYaml(Path file, String displayName) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(displayName + ": file not found (" + file.toAbsolutePath()
          + "; set APP_CONFIG_PATH to use another file)");
    } catch (IOException e) {
      throw new ConfigException(displayName + ": cannot read the file: " + e, e);
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(displayName + ": invalid YAML" + where + ": " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(displayName + ": the file is empty");
    }
    if (!root.isObject()) {
      throw new ConfigException(displayName + ": expected a YAML mapping of keys at the top level");
    }
    return root;
  }
}
