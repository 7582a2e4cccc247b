package ru.txix.isp.pywrapper.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ru.txix.isp.pywrapper.WrapperOptions;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.net.HostPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the local config: YAML file, then environment overrides, then defaults and checks. See
 * {@link FlatConfig} for the key rules (isp-kit's, except that {@code =} inside an environment value is kept).
 */
public final class LocalConfigLoader {
  /** Environment variable: prefix that environment overrides must carry (may be empty). */
  public static final String ENV_PREFIX_VARIABLE = "APP_CONFIG_ENV_PREFIX";

  private LocalConfigLoader() {
  }

  /**
   * Loads {@code file}; {@code displayName} is how errors name it (e.g. {@code conf/config.yml}).
   * In {@code clusterMode} the keys needed to reach the platform are required too.
   *
   * @throws ConfigException every problem found, one line each naming the file or variable, the key and the
   *     problem
   */
  public static LocalConfig load(Path file, String displayName, Map<String, String> environment,
                                 boolean clusterMode) {
    return load(file, displayName, environment, clusterMode, WrapperOptions.DEFAULTS);
  }

  /** As above; {@code options} fill the {@code python.*} keys the file and the environment leave out. */
  public static LocalConfig load(Path file, String displayName, Map<String, String> environment,
                                 boolean clusterMode, WrapperOptions options) {
    Loaded loaded = read(file, displayName, environment, clusterMode, options);
    if (loaded.config() == null) {
      throw new ConfigException(loaded.problems());
    }
    return loaded.config();
  }

  /**
   * What a read of the local config found, even when it has problems: the config (null if there are problems),
   * the problems, the warnings (keys ignored), and the two file keys — so that the files they name can be
   * checked in the same run.
   */
  public record Loaded(LocalConfig config, List<String> problems, List<String> warnings,
                       String defaultRemoteConfigPath, String remoteConfigPath) {
    public Loaded {
      problems = List.copyOf(problems);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Reads the local config, collecting every problem.
   *
   * @throws ConfigException only when the file itself cannot be read or parsed
   */
  public static Loaded read(Path file, String displayName, Map<String, String> environment,
                            boolean clusterMode, WrapperOptions options) {
    FlatConfig config = FlatConfig.of(displayName, readYaml(file, displayName), environment,
        environment.getOrDefault(ENV_PREFIX_VARIABLE, ""));
    ConfigKeys.check(config);

    String moduleName = config.requiredString("moduleName");
    String innerHost = config.requiredString("grpcInnerAddress.ip");
    int innerPort = config.requiredPort("grpcInnerAddress.port");
    List<HostPort> services = configServiceAddress(config, clusterMode);
    int outerPort = clusterMode ? config.requiredPort("grpcOuterAddress.port")
        : config.port("grpcOuterAddress.port").orElse(innerPort);
    LocalConfig.OuterAddress outer =
        new LocalConfig.OuterAddress(config.string("grpcOuterAddress.ip").orElse("").strip(), outerPort);
    Optional<Integer> infraPort = config.port("infraServerPort");
    if (infraPort.isEmpty() && innerPort == 65535 && !config.hasProblem("infraServerPort")) {
      config.problem("infraServerPort", "must be set when grpcInnerAddress.port is 65535");
    }

    LocalConfig.MetricsAutodiscovery metrics = new LocalConfig.MetricsAutodiscovery(
        config.bool("metricsAutodiscovery.enable").orElse(false),
        config.string("metricsAutodiscovery.address").orElse("").strip(),
        config.map("metricsAutodiscovery.additionalLabels"));

    LocalConfig.PythonSettings python = PythonKeys.read(config, options);
    RemoteConfigOverride override = config.json("remoteConfigOverride").flatMap(node -> {
      if (!node.isObject()) {
        config.problem("remoteConfigOverride", "must be a JSON object, got " + node.getNodeType().name().toLowerCase());
        return Optional.empty();
      }
      return Optional.of(RemoteConfigOverride.of((ObjectNode) node));
    }).orElse(RemoteConfigOverride.NONE);
    Duration receiverTimeout = positive(config, "remoteConfigReceiverTimeout", Duration.ofSeconds(5));
    Duration healthTimeout = positive(config, "healthcheckHandlerTimeout", Duration.ofSeconds(1));

    String defaultRemoteConfigPath = config.string("defaultRemoteConfigPath").filter(s -> !s.isBlank()).orElse(null);
    String remoteConfigPath = config.string("remoteConfigPath").filter(s -> !s.isBlank()).orElse(null);
    if (!config.problems().isEmpty()) {
      List<String> problems = new ArrayList<>(config.problems());
      if (clusterMode && config.string("configServiceAddress.ip").filter(s -> !s.isBlank()).isEmpty()) {
        problems.add(displayName + ": no config service is configured (configServiceAddress): set "
            + "CLUSTER_MODE=offline to run without one (the remote config then comes from a file, "
            + "conf/config.json unless remoteConfigPath names another)");
      }
      return new Loaded(null, problems, config.warnings(), defaultRemoteConfigPath, remoteConfigPath);
    }
    return new Loaded(new LocalConfig(moduleName, services, new BindingAddress(innerHost, innerPort), outer,
        override, receiverTimeout, defaultRemoteConfigPath, remoteConfigPath, infraPort.orElse(innerPort + 1),
        infraPort.isPresent(), healthTimeout, metrics, python), List.of(), config.warnings(),
        defaultRemoteConfigPath, remoteConfigPath);
  }

  private static Duration positive(FlatConfig config, String key, Duration fallback) {
    Duration value = config.duration(key).orElse(fallback);
    return value.isZero() ? fallback : value;
  }

  private static List<HostPort> configServiceAddress(FlatConfig config, boolean required) {
    if (!required && config.string("configServiceAddress.ip").filter(s -> !s.isBlank()).isEmpty()) {
      return List.of();
    }
    String ipText = config.requiredString("configServiceAddress.ip");
    String portText = config.requiredString("configServiceAddress.port");
    if (ipText.isEmpty() || portText.isEmpty()) {
      return List.of();
    }
    String[] hosts = ipText.split(";", -1);
    String[] ports = portText.split(";", -1);
    if (hosts.length != ports.length) {
      config.problem("configServiceAddress.port", hosts.length + " hosts but " + ports.length
          + " ports: ip and port are ';'-separated lists of the same length");
      return List.of();
    }
    List<HostPort> endpoints = new ArrayList<>();
    for (int i = 0; i < hosts.length; i++) {
      String host = hosts[i].strip();
      if (host.isEmpty()) {
        config.problem("configServiceAddress.ip", "entry " + (i + 1) + " is empty");
        continue;
      }
      int port;
      try {
        port = Integer.parseInt(ports[i].strip());
      } catch (NumberFormatException e) {
        config.problem("configServiceAddress.port", "entry " + (i + 1) + " must be a port, got \""
            + ports[i] + "\"");
        continue;
      }
      if (port < 1 || port > 65535) {
        config.problem("configServiceAddress.port", "entry " + (i + 1) + " must be a port in 1..65535, got "
            + port);
        continue;
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
    JsonNode root = YamlReader.read(text, displayName);
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(displayName + ": the file is empty");
    }
    if (!root.isObject()) {
      throw new ConfigException(displayName + ": expected a YAML mapping of keys at the top level");
    }
    return root;
  }
}
