package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.WrapperOptions;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.net.HostPort;

class LocalConfigLoaderTest {
  private static final String MINIMAL = """
      moduleName: my-python-module
      configServiceAddress:
        ip: "isp-config-service-1;isp-config-service-2"
        port: "9001;9002"
      grpcOuterAddress: { ip: "", port: 9003 }
      grpcInnerAddress: { ip: 0.0.0.0, port: 9003 }
      """;

  private static final String OFFLINE_HINT = "conf/config.yml: no config service is configured "
      + "(configServiceAddress): set CLUSTER_MODE=offline to run without one (the remote config then comes from a "
      + "file, conf/config.json unless remoteConfigPath names another)";

  @TempDir
  Path dir;

  @Test
  void readsTheKeysOfTheReferenceExampleWithDefaults() throws IOException {
    LocalConfig config = load(MINIMAL + """
        remoteConfigReceiverTimeout: 10s
        remoteConfigOverride: '{"database":{"host":"localhost"}}'
        metricsAutodiscovery: { enable: true }
        """, Map.of(), true);

    assertThat(config.moduleName()).isEqualTo("my-python-module");
    assertThat(config.configServiceAddress()).containsExactly(
        new HostPort("isp-config-service-1", 9001), new HostPort("isp-config-service-2", 9002));
    assertThat(config.grpcInnerAddress()).isEqualTo(new BindingAddress("0.0.0.0", 9003));
    assertThat(config.grpcOuterAddress()).isEqualTo(new LocalConfig.OuterAddress("", 9003));
    assertThat(config.remoteConfigReceiverTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(JsonValues.text(config.remoteConfigOverride().tree()))
        .isEqualTo("{\"database\":{\"host\":\"localhost\"}}");
    assertThat(config.metricsAutodiscovery().enable()).isTrue();
    assertThat(config.infraServerPort()).isEqualTo(9004);
    assertThat(config.healthcheckHandlerTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.python().uv()).isEqualTo("uv");
    assertThat(config.python().uvArgs()).isEmpty();
    assertThat(config.python().supervisor().restartDelay()).as("not set: the supervisor's default").isEmpty();
    assertThat(config.python().supervisor().stopTimeout()).isEmpty();
    assertThat(config.python().readinessTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void keysMatchIgnoringCaseAndASectionOfTheUsersOwnIsAcceptedWithAWarning() throws IOException {
    LocalConfigLoader.Loaded loaded = read("""
        MODULENAME: shouty
        grpcinneraddress: { IP: 127.0.0.1, Port: "9100" }
        somethingElse: { we: [don't, know] }
        """, Map.of(), false);

    assertThat(loaded.problems()).isEmpty();
    assertThat(loaded.config().moduleName()).isEqualTo("shouty");
    assertThat(loaded.config().grpcInnerAddress()).isEqualTo(new BindingAddress("127.0.0.1", 9100));
    assertThat(loaded.warnings()).containsExactly("conf/config.yml: somethingElse: unknown key, ignored: not a key "
        + "of isp-kit or of this host (fine for a section of your own)");
  }

  @Test
  void ispKitsOwnKeysThatThisHostDoesNotUseAreAcceptedQuietly() throws IOException {
    LocalConfigLoader.Loaded loaded = read(MINIMAL + """
        logFile: { path: /var/log/m.log, maxSizeMb: 512, whatever: 1 }
        logs: { sampling: { enable: true } }
        observability: { sentry: { enable: false }, tracing: { enable: false } }
        migrationsDirPath: ./migrations
        healthcheckHandlerTimeout: 2s
        """, Map.of(), true);

    assertThat(loaded.problems()).isEmpty();
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void aTypoOfAKnownKeyIsAnErrorWithTheKeyItIsNear() {
    assertThat(read((MINIMAL + """
        infraServerPot: 9400
        remoteConfigOveride: '{"a":1}'
        grpcInnerAdress: { port: 9100 }
        grpcOuterAddress: { ip: "", port: 9003, prt: 1 }
        metricsAutodiscovery: { enabled: true, additionalLabels: { anything: goes } }
        """).replace("grpcOuterAddress: { ip: \"\", port: 9003 }\n", ""), Map.of(), true).problems())
        .containsExactly(
            "conf/config.yml: infraServerPot: unknown key (did you mean infraServerPort?)",
            "conf/config.yml: remoteConfigOveride: unknown key (did you mean remoteConfigOverride?)",
            "conf/config.yml: grpcInnerAdress: unknown key (did you mean grpcInnerAddress?)",
            "conf/config.yml: grpcOuterAddress.prt: unknown key (did you mean port?)",
            "conf/config.yml: metricsAutodiscovery.enabled: unknown key (did you mean enable?)");
  }

  @Test
  void environmentVariablesAreCheckedWhereTheyArePlainlyKeys() {
    assertThat(read(MINIMAL, Map.of("INFRASERVERPOT", "9400", "java.home", "/x", "grpcInnerAdress.port", "9"), true)
        .problems()).as("without a prefix only dotted names, and near a known key, are keys meant")
        .containsExactly("environment variable grpcInnerAdress.port: grpcInnerAdress: unknown key (did you mean "
            + "grpcInnerAddress?)");
    assertThat(read(MINIMAL, Map.of("APP_CONFIG_ENV_PREFIX", "MYAPP_", "MYAPP_INFRASERVERPOT", "9400"), true)
        .problems()).containsExactly("environment variable MYAPP_INFRASERVERPOT: INFRASERVERPOT: unknown key (did "
            + "you mean infraServerPort?)");
  }

  @Test
  void clusterModeWithoutAConfigServiceSuggestsOfflineMode() {
    assertThat(read("moduleName: m\ngrpcInnerAddress: { ip: 127.0.0.1, port: 9100 }\n", Map.of(), true).problems())
        .containsExactly(
            "conf/config.yml: configServiceAddress.ip: required key is missing",
            "conf/config.yml: configServiceAddress.port: required key is missing",
            "conf/config.yml: grpcOuterAddress.port: required key is missing",
            OFFLINE_HINT);
  }

  @Test
  void environmentVariablesOverrideTheFileAsInIspKit() throws IOException {
    LocalConfig config = load(MINIMAL, Map.of(
        "moduleName", "my-module",
        "grpcOuterAddress.ip", "10.0.0.5",
        "CONFIGSERVICEADDRESS.IP", "10.0.0.1;10.0.0.2",
        "remoteConfigReceiverTimeout", "10s",
        "metricsAutodiscovery.additionalLabels.env", "prod",
        "python.uvArgs.[1]", "--no-sync",
        "python.uvArgs.[0]", "--frozen",
        "remoteConfigOverride", "{\"a\":\"x=y\"}"), true);

    assertThat(config.moduleName()).isEqualTo("my-module");
    assertThat(config.grpcOuterAddress().ip()).isEqualTo("10.0.0.5");
    assertThat(config.configServiceAddress()).containsExactly(new HostPort("10.0.0.1", 9001),
        new HostPort("10.0.0.2", 9002));
    assertThat(config.remoteConfigReceiverTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.metricsAutodiscovery().additionalLabels()).containsExactly(Map.entry("env", "prod"));
    assertThat(config.python().uvArgs()).containsExactly("--frozen", "--no-sync");
    assertThat(JsonValues.text(config.remoteConfigOverride().tree())).as("'=' inside a value is kept")
        .isEqualTo("{\"a\":\"x=y\"}");
  }

  @Test
  void withAPrefixOnlyPrefixedVariablesCountAndThePrefixIsRemoved() throws IOException {
    LocalConfig config = load(MINIMAL, Map.of(
        "APP_CONFIG_ENV_PREFIX", "MYAPP_",
        "MYAPP_GRPCINNERADDRESS.PORT", "9300",
        "moduleName", "ignored-without-prefix"), true);

    assertThat(config.grpcInnerAddress().port()).isEqualTo(9300);
    assertThat(config.moduleName()).isEqualTo("my-python-module");
  }

  @Test
  void uvArgumentsMayBeOneString() throws IOException {
    LocalConfig config = load(MINIMAL + "python: { uvArgs: \"--frozen  --no-dev\", stopTimeout: 1500ms }\n",
        Map.of(), true);

    assertThat(config.python().uvArgs()).containsExactly("--frozen", "--no-dev");
    assertThat(config.python().supervisor().stopTimeout()).hasValue(Duration.ofMillis(1500));
  }

  @Test
  void anEnvironmentValueWinsOverAListInTheFile() throws IOException {
    LocalConfig config = load(MINIMAL + "python: { uvArgs: [--frozen, --no-dev] }\n",
        Map.of("python.uvArgs", "--no-sync"), true);

    assertThat(config.python().uvArgs()).containsExactly("--no-sync");
  }

  @Test
  void remoteConfigOverrideMayBeWrittenAsAYamlMappingAndKeepsItsKeysCase() throws IOException {
    LocalConfig config = load(MINIMAL + "remoteConfigOverride: { dataBase: { Host: localhost } }\n", Map.of(), true);

    assertThat(JsonValues.text(config.remoteConfigOverride().tree()))
        .isEqualTo("{\"dataBase\":{\"Host\":\"localhost\"}}");
  }

  @Test
  void remoteConfigOverrideMustBeAJsonObjectAndItsProblemNamesWhereItWasSet() {
    assertThatThrownBy(() -> load(MINIMAL + "remoteConfigOverride: '[1]'\n", Map.of(), true))
        .hasMessage("conf/config.yml: remoteConfigOverride: must be a JSON object, got array");
    assertThatThrownBy(() -> load(MINIMAL, Map.of("remoteConfigOverride", "{oops"), true))
        .hasMessageStartingWith("environment variable remoteConfigOverride: remoteConfigOverride: invalid JSON: ");
  }

  @Test
  void aBlankRemoteConfigOverrideIsNone() throws IOException {
    assertThat(load(MINIMAL, Map.of("remoteConfigOverride", "  "), true).remoteConfigOverride())
        .isSameAs(RemoteConfigOverride.NONE);
  }

  @Test
  void offlineModeNeedsNoConfigServiceAndAdvertisesTheInnerPort() throws IOException {
    LocalConfig config = load("moduleName: m\ngrpcInnerAddress: { ip: 0.0.0.0, port: 9003 }\n", Map.of(), false);

    assertThat(config.configServiceAddress()).isEmpty();
    assertThat(config.grpcOuterAddress().port()).isEqualTo(9003);
  }

  @Test
  void everyMissingKeyIsReportedAtOnceOneLineEach() {
    assertThatThrownBy(() -> load("moduleName: m\n", Map.of(), true))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .containsExactly("conf/config.yml: grpcInnerAddress.ip: required key is missing",
            "conf/config.yml: grpcInnerAddress.port: required key is missing",
            "conf/config.yml: configServiceAddress.ip: required key is missing",
            "conf/config.yml: configServiceAddress.port: required key is missing",
            "conf/config.yml: grpcOuterAddress.port: required key is missing",
            OFFLINE_HINT);
  }

  @Test
  void unknownKeysUnderPythonStopTheStartWithTheNearestKnownKey() {
    assertThatThrownBy(() -> load(MINIMAL + "python: { uvArg: [--frozen], restartDelai: 10s, fancy: 1 }\n",
        Map.of(), true))
        .extracting(e -> ((ConfigException) e).problems()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .containsExactly("conf/config.yml: python.uvArg: unknown key (did you mean uvArgs?)",
            "conf/config.yml: python.restartDelai: unknown key (did you mean restartDelay?)",
            "conf/config.yml: python.fancy: unknown key (known: backoffResetAfter, configRestartInterval, liveness, "
                + "maxRestarts, readiness, readinessTimeout, restartDelay, restartDelayMax, socket, startRetryDelay, "
                + "startTimeout, startTimeoutAction, stopTimeout, uv, uvArgs)");
    assertThatThrownBy(() -> load(MINIMAL, Map.of("python.stopTimout", "1s"), true))
        .hasMessage("environment variable python.stopTimout: python.stopTimout: unknown key (did you mean "
            + "stopTimeout?)");
  }

  @Test
  void missingRequiredKeyIsOneLineNamingTheFileAndTheKey() {
    assertThatThrownBy(() -> load("grpcInnerAddress: { ip: 0.0.0.0, port: 9003 }\n", Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessage("conf/config.yml: moduleName: required key is missing");
    assertThatThrownBy(() -> load("moduleName: m\ngrpcInnerAddress: { ip: 0.0.0.0 }\n", Map.of(), false))
        .hasMessage("conf/config.yml: grpcInnerAddress.port: required key is missing");
    assertThatThrownBy(() -> load("moduleName: m\ngrpcInnerAddress: { ip: 0.0.0.0, port: 9003 }\n"
        + "configServiceAddress: { port: 9001 }\ngrpcOuterAddress: { port: 9003 }\n", Map.of(), true))
        .hasMessageStartingWith("conf/config.yml: configServiceAddress.ip: required key is missing; "
            + "conf/config.yml: no config service is configured (configServiceAddress): set CLUSTER_MODE=offline");
  }

  @Test
  void malformedValuesNameTheKeyAndWhereTheValueCameFrom() {
    assertThatThrownBy(() -> load(MINIMAL.replace("port: 9003 }\n", "port: nine }\n")
        .replace("grpcInnerAddress: { ip: 0.0.0.0, port: 9003 }", "grpcInnerAddress: { ip: 0.0.0.0, port: nine }"),
        Map.of(), true))
        .hasMessage("conf/config.yml: grpcInnerAddress.port: must be an integer, got \"nine\"; "
            + "conf/config.yml: grpcOuterAddress.port: must be an integer, got \"nine\"");
    assertThatThrownBy(() -> load(MINIMAL, Map.of("GRPCINNERADDRESS.PORT", "70000"), true))
        .hasMessage("environment variable GRPCINNERADDRESS.PORT: grpcInnerAddress.port: must be a port in "
            + "1..65535, got 70000");
    assertThatThrownBy(() -> load(MINIMAL + "remoteConfigReceiverTimeout: 10\n", Map.of(), true))
        .hasMessageStartingWith("conf/config.yml: remoteConfigReceiverTimeout: invalid duration \"10\"");
    assertThatThrownBy(() -> load(MINIMAL.replace("\"9001;9002\"", "\"9001\""), Map.of(), true))
        .hasMessage("conf/config.yml: configServiceAddress.port: 2 hosts but 1 ports: ip and port are "
            + "';'-separated lists of the same length");
  }

  @Test
  void brokenOrMissingFileIsOneClearLine() throws IOException {
    assertThatThrownBy(() -> LocalConfigLoader.load(dir.resolve("nope.yml"), "conf/config.yml", Map.of(), false))
        .hasMessageStartingWith("conf/config.yml: file not found (");
    assertThatThrownBy(() -> load("moduleName: [unclosed\n", Map.of(), false))
        .hasMessageStartingWith("conf/config.yml: invalid YAML at line ");
    assertThatThrownBy(() -> load("- a\n- b\n", Map.of(), false))
        .hasMessage("conf/config.yml: expected a YAML mapping of keys at the top level");
    assertThatThrownBy(() -> load("", Map.of(), false)).hasMessage("conf/config.yml: the file is empty");
  }

  private LocalConfigLoader.Loaded read(String yaml, Map<String, String> environment, boolean cluster) {
    try {
      Path file = dir.resolve("config.yml");
      Files.writeString(file, yaml);
      return LocalConfigLoader.read(file, "conf/config.yml", environment, cluster, WrapperOptions.DEFAULTS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private LocalConfig load(String yaml, Map<String, String> environment, boolean cluster) throws IOException {
    Path file = dir.resolve("config.yml");
    Files.writeString(file, yaml);
    return LocalConfigLoader.load(file, "conf/config.yml", environment, cluster);
  }

}
