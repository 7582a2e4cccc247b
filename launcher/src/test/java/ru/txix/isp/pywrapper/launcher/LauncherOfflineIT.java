package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.ProcessChecks;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code java -jar isp-python-wrapper.jar} in offline mode, with a real uv and Python child. */
@RealProcessTest
class LauncherOfflineIT {
  static final Path JAR = Path.of("target/isp-python-wrapper.jar");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  private PythonProject project;
  private int port;
  private LauncherProcess launcher;

  @BeforeEach
  void setUp() {
    port = FreePort.find();
    project = PythonProject.in(dir).withConf("offline-module", port, "127.0.0.1:9001", "{\"v\":1}");
  }

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.close();
    }
    project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void appliesEveryEditOfTheOfflineConfigAndIgnoresABrokenOne() throws Exception {
    launcher = start(Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);
    assertThat(project.events("started").get(0).get("config")).isEqualTo(JSON.readTree("{\"v\":1}"));
    Thread.sleep(1600); // past the 1.5 s in which config changes collapse into one restart

    replaceConfig("{\"v\":2}");
    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("listening").size() == 2);
    assertThat(project.events("started").get(1).get("config")).isEqualTo(JSON.readTree("{\"v\":2}"));

    Files.writeString(project.root().resolve("conf/config.json"), "{\"v\": 3,,}");
    JsonNode error = launcher.awaitLogContaining("remote config rejected (conf/config.json): invalid JSON",
        Duration.ofSeconds(10));
    assertThat(error.get("level").asString()).isEqualTo("ERROR");
    assertThat(error.get("message").asString()).endsWith("; the python service keeps running on its previous config");
    Thread.sleep(500);
    assertThat(project.events("started")).hasSize(2);

    replaceConfig("{\"v\":3}");
    await().atMost(Duration.ofSeconds(20)).until(() -> project.events("listening").size() == 3);
    assertThat(project.events("started").get(2).get("config")).isEqualTo(JSON.readTree("{\"v\":3}"));
  }

  @Test
  void sigtermStopsTheChildFirstThenExitsZero() {
    launcher = start(Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);
    List<Long> pids = project.recordedPids();

    launcher.signal("TERM");

    assertThat(launcher.awaitExit(Duration.ofSeconds(15))).isZero();
    assertThat(project.events("sigterm")).hasSize(1);
    List<String> messages = launcher.logs().stream().map(l -> l.get("message").asString()).toList();
    assertThat(messages).containsSubsequence("starting shutdown", "stopping the python service: sending SIGTERM",
        "python service exited with exit code 0", "shutdown completed");
    assertThat(ProcessChecks.aliveOf(pids)).isEmpty();
  }

  @Test
  void theChildStartsWithACleanSignalMaskAndNoneOfTheHostsDescriptors() {
    launcher = start(Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);
    JsonNode started = project.events("started").get(0);

    assertThat(started.get("signals").get("SigBlk").asString()).as("blocked signals (a JVM blocks SIGQUIT)")
        .matches("0+");
    long ignored = Long.parseLong(started.get("signals").get("SigIgn").asString(), 16);
    long hupIntQuitTerm = (1L << 0) | (1L << 1) | (1L << 2) | (1L << 14); // bit n-1 is signal n
    assertThat(ignored & hupIntQuitTerm).as("SIGHUP, SIGINT, SIGQUIT and SIGTERM are not ignored (Python itself "
        + "ignores SIGPIPE and SIGXFSZ)").isZero();
    assertThat(started.get("descriptors").properties()).extracting(e -> e.getValue().asString())
        .as("the host's jar, sockets and files stay in the host")
        .noneMatch(target -> target.endsWith(".jar") || target.startsWith("socket:") || target.endsWith("modules"));
    assertThat(started.get("listenFds").isNull()).isTrue();
  }

  @Test
  void withAnInheritedSocketTheChildGetsItAsFdThreeAndNothingElseOfTheHost() {
    launcher = start(Map.of("python.socket", "inherit"));
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);
    JsonNode started = project.events("started").get(0);

    assertThat(started.get("listenFds").asString()).isEqualTo("1");
    assertThat(started.get("descriptors").get("3").asString()).startsWith("socket:[");
    assertThat(started.get("descriptors").properties()).extracting(e -> e.getValue().asString())
        .filteredOn(target -> target.startsWith("socket:")).hasSize(1);
    assertThat(project.events("listening").get(0).get("inherited").asBoolean()).isTrue();
  }

  @Test
  void sigintStopsLikeSigterm() {
    launcher = start(Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);

    launcher.signal("INT");

    assertThat(launcher.awaitExit(Duration.ofSeconds(15))).isZero();
    assertThat(launcher.logsContaining("starting shutdown").get(0).get("signal").asString()).isEqualTo("SIGINT");
  }

  @Test
  void sigintAndSigtermStopTheHostEvenWhenItsParentIgnoresThem() {
    for (String signal : List.of("INT", "TERM")) {
      // A background job of a non-interactive shell starts with SIGINT ignored; the JVM keeps what it inherits.
      List<String> command = List.of("bash", "-c", "trap '' INT TERM; exec \"$0\" -jar \"$1\"",
          ProcessHandle.current().info().command().orElse("java"), JAR.toAbsolutePath().toString());
      Map<String, String> environment = new HashMap<>(project.environment());
      environment.put("CLUSTER_MODE", "offline");
      launcher = LauncherProcess.run(command, project.root(), environment);
      int before = project.events("listening").size();
      await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == before + 1);

      launcher.signal(signal);

      assertThat(launcher.awaitExit(Duration.ofSeconds(15))).as("SIG" + signal).isZero();
      assertThat(launcher.logsContaining("starting shutdown").get(0).get("signal").asString())
          .isEqualTo("SIG" + signal);
    }
  }

  @Test
  void aUsersOwnConfigJsonIsNeverTouchedTheChildsConfigLivesInTheHostsFolder() throws Exception {
    Path mine = project.root().resolve("config.json");
    Files.writeString(mine, "{\"my\":\"settings\"}");
    Files.setPosixFilePermissions(mine, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    for (int run = 1; run <= 2; run++) { // the second run finds the host's own file from the first
      launcher = start(Map.of());
      int runs = run;
      await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == runs);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(Duration.ofSeconds(15))).isZero();
    }

    assertThat(Files.readString(mine)).isEqualTo("{\"my\":\"settings\"}");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)))
        .isEqualTo("rw-r--r--");
    assertThat(project.events("started").get(1).get("configFile").asString())
        .isEqualTo(project.root().resolve(".pywrapper/config.json").toString());
    assertThat(Files.readString(project.root().resolve(".pywrapper/.gitignore"))).endsWith("*\n");
  }

  @Test
  void aFileTheHostDidNotWriteStopsTheStartAndIsLeftUntouched() throws Exception {
    Path mine = project.root().resolve("settings.json");
    Files.writeString(mine, "{\"my\":\"settings\"}");

    launcher = start(Map.of("APP_PYTHON_CONFIG_PATH", "settings.json"));

    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR")))
        .extracting(l -> l.get("message").asString()).containsExactly("settings.json: exists and was not written by "
            + "this host, which leaves it untouched; the host writes the Python service's config (CONFIG_FILE) there "
            + "afresh at every start: move the file away, or set APP_PYTHON_CONFIG_PATH to another file");
    assertThat(Files.readString(mine)).isEqualTo("{\"my\":\"settings\"}");
    assertThat(project.events()).isEmpty();

    Files.createDirectories(project.root().resolve(".pywrapper"));
    Files.writeString(project.root().resolve(".pywrapper/config.json"), "{}");
    launcher = start(Map.of());
    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR")))
        .extracting(l -> l.get("message").asString()).singleElement().asString()
        .startsWith(".pywrapper/config.json: exists and was not written by this host");
  }

  @Test
  void aSectionOfTheUsersOwnInConfigYmlIsAcceptedWithOneWarning() throws Exception {
    Files.writeString(project.root().resolve("conf/config.yml"),
        Files.readString(project.root().resolve("conf/config.yml")) + "myService:\n  greeting: hi\n  n: 1\n"
            + "logFile: { path: /tmp/x.log }\n");

    launcher = start(Map.of());

    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("WARN")))
        .extracting(l -> l.get("message").asString()).containsExactly("conf/config.yml: myService: unknown key, "
            + "ignored: not a key of isp-kit or of this host (fine for a section of your own)");
  }

  @Test
  void devModeReadsConfigDevYmlAndLogsReadableLinesAtDebugLevel() throws Exception {
    Files.move(project.root().resolve("conf/config.yml"), project.root().resolve("conf/config_dev.yml"));

    launcher = start(Map.of("APP_MODE", "dev"));

    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> launcher.lines().stream()
        .anyMatch(line -> line.contains(" INFO  PySupervisor - python service ready: accepting connections")));
    assertThat(launcher.logs()).as("no JSON lines in dev mode").isEmpty();
    assertThat(launcher.lines()).anyMatch(line -> line.contains(" DEBUG "));
  }

  @Test
  void missingRequiredKeyExitsOneWithOneLineNamingTheKeyAndTheFileAndStartsNoChild() {
    project.write("conf/config.yml", "moduleName: m\ngrpcInnerAddress: { ip: 127.0.0.1 }\n");

    launcher = start(Map.of());

    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
    List<JsonNode> errors = launcher.logs(l -> l.get("level").asString().equals("ERROR"));
    assertThat(errors).extracting(l -> l.get("message").asString())
        .containsExactly("conf/config.yml: grpcInnerAddress.port: required key is missing");
    assertThat(project.events()).isEmpty();
  }

  @Test
  void missingOfflineConfigExitsOneNamingTheFile() throws Exception {
    Files.delete(project.root().resolve("conf/config.json"));

    launcher = start(Map.of());

    assertThat(launcher.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
    assertThat(launcher.logs(l -> l.get("level").asString().equals("ERROR")))
        .extracting(l -> l.get("message").asString())
        .singleElement().asString().startsWith("conf/config.json: file not found (");
    assertThat(project.events()).isEmpty();
  }

  private LauncherProcess start(Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.putAll(extra);
    return LauncherProcess.start(JAR, project.root(), environment, List.of());
  }

  private void replaceConfig(String content) throws Exception {
    Path temp = project.root().resolve("conf/config.json.tmp");
    Files.writeString(temp, content);
    Files.move(temp, project.root().resolve("conf/config.json"), StandardCopyOption.ATOMIC_MOVE);
  }
}
