package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;

/**
 * Every start-up error: exit code 1, one error line naming the file and the problem (YAML mistakes in words,
 * with the offending character's line and column; a typo with the key it is near), no child started; every
 * problem of every file in one run.
 */
@RealProcessTest
class StartupErrorsIT {

  @TempDir
  Path dir;

  /** Every host started, stopped after the test: one that starts where it should not must not outlive it. */
  private final List<LauncherProcess> started = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void stopWhatStarted() {
    started.forEach(LauncherProcess::close);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        error("local config missing", p -> delete(p, "conf/config.yml"), "offline",
            "conf/config.yml: file not found ("),
        error("local config not YAML", p -> p.write("conf/config.yml", "moduleName: [oops\n"), "offline",
            "conf/config.yml: invalid YAML at line "),
        error("required key missing", p -> p.write("conf/config.yml", "moduleName: m\n"), "offline",
            "conf/config.yml: grpcInnerAddress.ip: required key is missing"),
        error("default remote config missing in cluster mode", p -> delete(p, "conf/default_remote_config.json"),
            "cluster", "conf/default_remote_config.json: file not found ("),
        error("default remote config not JSON", p -> p.write("conf/default_remote_config.json", "{oops"), "cluster",
            "conf/default_remote_config.json: invalid JSON: "),
        error("main.py missing", p -> delete(p, "main.py"), "offline", "main.py: file not found in "),
        error("pyproject.toml missing", p -> delete(p, "pyproject.toml"), "offline",
            "pyproject.toml: file not found in "),
        error("uv.lock missing", p -> delete(p, "uv.lock"), "offline", "uv.lock: file not found in "),
        error("module.yml with an unknown key", p -> p.write("conf/module.yml", "version: 1.0.0\nendpoint: []\n"),
            "offline", "conf/module.yml: endpoint: unknown key (did you mean endpoints?)"),
        error("module.yml with an unknown endpoint key", p -> p.write("conf/module.yml",
            "endpoints:\n  - path: /api/x\n    httpMetod: GET\n    httpMethod: GET\n"),
            "offline", "conf/module.yml: endpoints[0].httpMetod: unknown key (did you mean httpMethod?)"),
        error("a tab in the indentation", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            .replace("  port: \"", "\tport: \"")), "offline",
            "conf/config.yml: invalid YAML at line 5, column 1: tab characters are not allowed for indentation"),
        error("an unclosed bracket", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            + "python:\n  uvArgs: [--frozen\n  restartDelay: 2s\n"), "offline",
            "conf/config.yml: invalid YAML at line 9, column 11: unclosed `[` (expected `,` or `]` at line 10, "
                + "column 15)"),
        error("an unclosed quote", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            .replace("moduleName: errors", "moduleName: \"errors")), "offline",
            "conf/config.yml: invalid YAML at line 1, column 13: unclosed quote"),
        error("a duplicated key", p -> p.write("conf/config.yml", read(p, "conf/config.yml") + "moduleName: other\n"),
            "offline", "conf/config.yml: invalid YAML at line 8, column 1: duplicate key moduleName (first at line 1, "
                + "column 1)"),
        error("a tab in module.yml", p -> p.write("conf/module.yml", "endpoints:\n\t- path: /api/x\n"), "offline",
            "conf/module.yml: invalid YAML at line 2, column 1: tab characters are not allowed for indentation"),
        error("a typo of infraServerPort", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            .replace("infraServerPort:", "infraServerPot:")), "offline",
            "conf/config.yml: infraServerPot: unknown key (did you mean infraServerPort?)"),
        error("a typo of remoteConfigOverride", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            + "remoteConfigOveride: '{\"a\":1}'\n"), "offline",
            "conf/config.yml: remoteConfigOveride: unknown key (did you mean remoteConfigOverride?)"),
        error("a typo of grpcInnerAddress", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            .replace("grpcInnerAddress:", "grpcInnerAdress:")), "offline",
            "conf/config.yml: grpcInnerAdress: unknown key (did you mean grpcInnerAddress?)"),
        error("an unknown key in a section the host reads", p -> p.write("conf/config.yml", read(p, "conf/config.yml")
            .replace("grpcInnerAddress: { ip: 127.0.0.1,", "grpcInnerAddress: { ip: 127.0.0.1, ipv6: false,")),
            "offline", "conf/config.yml: grpcInnerAddress.ipv6: unknown key (known: ip, port)"),
        error("endpoint without httpMethod", p -> p.write("conf/module.yml", "endpoints:\n  - path: /api/x\n"),
            "offline", "conf/module.yml: endpoint /api/x: httpMethod is required (the module's transport is http)"),
        error("schema file not an object", p -> p.write("conf/remote_config_schema.json", "[]"), "offline",
            "conf/remote_config_schema.json: a JSON schema must be a JSON object"),
        error("schema file not JSON", p -> p.write("conf/remote_config_schema.json", "{"), "offline",
            "conf/remote_config_schema.json: invalid JSON: "),
        error("schema file with a wrong type name", p -> p.write("conf/remote_config_schema.json",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integr\"}}}"), "offline",
            "conf/remote_config_schema.json: /properties/n/type: "),
        error("schema file with a minimum that is no number", p -> p.write("conf/remote_config_schema.json",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":\"x\"}}}"),
            "cluster", "conf/remote_config_schema.json: /properties/n/minimum: "),
        error("schema file with required as a string", p -> p.write("conf/remote_config_schema.json",
            "{\"type\":\"object\",\"required\":\"a\"}"), "offline", "conf/remote_config_schema.json: /required: "),
        error("offline config missing", p -> delete(p, "conf/config.json"), "offline",
            "conf/config.json: file not found ("));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void startUpErrorExitsOneWithOneLineAndStartsNoChild(String name, Consumer<PythonProject> breakIt, String mode,
                                                      String message) {
    PythonProject project = project();
    breakIt.accept(project);

    LauncherProcess launcher = start(project, mode);

    assertThat(launcher.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
    List<String> errors = launcher.logs(l -> l.get("level").asString().equals("ERROR")).stream()
        .map(l -> l.get("message").asString()).toList();
    assertThat(errors).as("one line per problem").anySatisfy(line -> assertThat(line).startsWith(message))
        .allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    assertThat(launcher.lines()).as("every line a JSON log line").hasSize(launcher.logs().size());
    assertThat(project.events()).isEmpty();
  }

  @Test
  void problemsOfModuleYmlAndOfTheSchemaAndOfConfigYmlAreReportedInOneRun() {
    PythonProject project = project();
    project.write("conf/config.yml", read(project, "conf/config.yml").replace("infraServerPort:", "infraServerPot:"));
    project.write("conf/module.yml", "version: 1.0.0\nendpoints:\n  - path: /api/x\nrequiredModule: [auth]\n");
    project.write("conf/remote_config_schema.json", "{\"type\":\"object\",\"required\":\"a\"}");

    LauncherProcess launcher = start(project, "offline");

    assertThat(launcher.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR")).stream()
        .map(l -> l.get("message").asString()).toList())
        .anySatisfy(line -> assertThat(line).isEqualTo(
            "conf/config.yml: infraServerPot: unknown key (did you mean infraServerPort?)"))
        .anySatisfy(line -> assertThat(line).isEqualTo(
            "conf/module.yml: requiredModule: unknown key (did you mean requiredModules?)"))
        .anySatisfy(line -> assertThat(line).isEqualTo(
            "conf/module.yml: endpoint /api/x: httpMethod is required (the module's transport is http)"))
        .anySatisfy(line -> assertThat(line).startsWith("conf/remote_config_schema.json: /required: "));
    assertThat(project.events()).isEmpty();
  }

  @Test
  void clusterModeWithoutAConfigServiceSaysHowToRunOffline() {
    PythonProject project = project();
    project.write("conf/config.yml", "moduleName: m\ngrpcInnerAddress: { ip: 127.0.0.1, port: " + FreePort.find()
        + " }\ninfraServerPort: " + FreePort.find() + "\n");

    LauncherProcess launcher = start(project, "cluster");

    assertThat(launcher.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR")).stream()
        .map(l -> l.get("message").asString()).filter(line -> line.contains("CLUSTER_MODE"))).containsExactly(
            "conf/config.yml: no config service is configured (configServiceAddress): set CLUSTER_MODE=offline to "
                + "run without one (the remote config then comes from a file, conf/config.json unless "
                + "remoteConfigPath names another)");
  }

  @Test
  void everyProblemOfAClusterStartIsReportedInOneRun() {
    PythonProject project = project();
    project.write("conf/config.yml", "moduleName: m\ngrpcInnerAddress: { ip: 127.0.0.1, port: 9 }\n"
        + "python: { restartDelai: 10s }\n");
    delete(project, "conf/default_remote_config.json");

    LauncherProcess launcher = start(project, "cluster");

    assertThat(launcher.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR")).stream()
        .map(l -> l.get("message").asString()).toList()).containsExactly(
            "conf/config.yml: python.restartDelai: unknown key (did you mean restartDelay?)",
            "conf/config.yml: configServiceAddress.ip: required key is missing",
            "conf/config.yml: configServiceAddress.port: required key is missing",
            "conf/config.yml: grpcOuterAddress.port: required key is missing",
            "conf/config.yml: no config service is configured (configServiceAddress): set CLUSTER_MODE=offline to "
                + "run without one (the remote config then comes from a file, conf/config.json unless "
                + "remoteConfigPath names another)",
            "conf/default_remote_config.json: file not found (" + project.root().resolve(
                "conf/default_remote_config.json") + "); cluster mode sends it to the config service as the "
                + "module's default config");
    assertThat(project.events()).isEmpty();
  }

  @Test
  void aBusyDerivedInfraPortIsReportedAsDerived() throws Exception {
    PythonProject project = project();
    try (ServerSocket taken = new ServerSocket(0)) {
      int inner = taken.getLocalPort() - 1;
      project.write("conf/config.yml", "moduleName: m\ngrpcInnerAddress: { ip: 127.0.0.1, port: " + inner + " }\n");

      LauncherProcess launcher = start(project, "offline");

      assertThat(launcher.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR"))).singleElement()
          .extracting(l -> l.get("message").asString()).asString()
          .startsWith("infra server port " + taken.getLocalPort() + " (grpcInnerAddress.port + 1): cannot listen: ")
          .endsWith("(set infraServerPort in conf/config.yml to a free port)");
    }
  }

  @Test
  void busyInfraPortIsAStartUpError() throws Exception {
    PythonProject project = project();
    try (ServerSocket taken = new ServerSocket(project.infraPort())) {
      LauncherProcess launcher = start(project, "offline");

      assertThat(launcher.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR"))).singleElement()
          .extracting(l -> l.get("message").asString()).asString()
          .startsWith("conf/config.yml: infraServerPort " + taken.getLocalPort() + ": cannot listen: ");
      assertThat(project.events()).isEmpty();
    }
  }

  private PythonProject project() {
    PythonProject project = PythonProject.in(dir).withConf("errors", FreePort.find(), "127.0.0.1:9001", "{}");
    project.write("conf/default_remote_config.json", "{}");
    return project;
  }

  private LauncherProcess start(PythonProject project, String mode) {
    Map<String, String> environment = new HashMap<>(project.environment());
    if (mode.equals("offline")) {
      environment.put("CLUSTER_MODE", "offline");
    }
    LauncherProcess launcher = LauncherProcess.start(LauncherOfflineIT.JAR, project.root(), environment, List.of());
    started.add(launcher);
    return launcher;
  }

  private static Arguments error(String name, Consumer<PythonProject> breakIt, String mode, String message) {
    return Arguments.of(name, breakIt, mode, message);
  }

  private static String read(PythonProject project, String file) {
    try {
      return Files.readString(project.root().resolve(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void delete(PythonProject project, String file) {
    try {
      Files.delete(project.root().resolve(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
