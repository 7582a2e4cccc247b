package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;

/**
 * The Java API's complete module taken literally: a throwaway Maven project outside this reactor, made of exactly
 * the {@code pom.xml} and Java files of {@code docs/java-api.md} (whose code the README's Java API section
 * quotes), is built against the artifacts {@code make build} / {@code mvn install} put into the local Maven
 * repository; its jar hosts a Python project with {@code java -jar} in offline mode, and through the
 * distribution's start script ({@code ISP_PYTHON_WRAPPER_JAR}, no Java on PATH) in cluster mode.
 */
@RealProcessTest
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OwnModuleFromReadmeIT {
  private static final Path README = Path.of("../README.md");
  private static final Path JAVA_API = Path.of("../docs/java-api.md");
  private static final Pattern BLOCK = Pattern.compile("```(xml|java)\\n(.*?)```", Pattern.DOTALL);

  @TempDir
  static Path built;
  private static Path jar;
  private static Map<String, String> files;

  @TempDir
  Path dir;

  private LauncherProcess host;

  @BeforeAll
  static void buildTheDocumentedProject() throws Exception {
    Path project = built.resolve("my-module");
    files = documentedProject();
    assertThat(files).containsKey("pom.xml").containsKey("src/main/java/com/example/mymodule/Main.java")
        .containsKey("src/main/java/com/example/mymodule/RemoteConfig.java");
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = project.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }

    List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-q", "--no-transfer-progress", "package"));
    String repository = System.getProperty("maven.repo.local", "");
    if (!repository.isBlank()) {
      mvn.add("-Dmaven.repo.local=" + repository);
    }
    Path buildLog = built.resolve("build.log");
    Process build = new ProcessBuilder(mvn).directory(project.toFile()).redirectErrorStream(true)
        .redirectOutput(buildLog.toFile()).start();
    assertThat(build.waitFor(240, TimeUnit.SECONDS)).as("mvn package finished").isTrue();
    assertThat(build.exitValue()).as("mvn package:\n%s", Files.readString(buildLog)).isZero();
    jar = project.resolve("target/my-module.jar");
    assertThat(jar).isRegularFile();
  }

  @AfterEach
  void tearDown() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void theReadmeQuotesTheDocumentedMainAndRemoteConfig() throws IOException {
    List<String> quoted = new ArrayList<>();
    Matcher block = BLOCK.matcher(section(Files.readString(README, StandardCharsets.UTF_8), "## The Java API"));
    while (block.find()) {
      quoted.add(block.group(2));
    }

    assertThat(quoted).hasSize(2);
    assertThat(files.get("src/main/java/com/example/mymodule/Main.java")).contains(indented(quoted.get(0), 4));
    assertThat(files.get("src/main/java/com/example/mymodule/RemoteConfig.java")).contains(quoted.get(1));
  }

  @Test
  void itsJarHostsAPythonProjectInOfflineModeAndRejectsABlankGreeting() throws Exception {
    PythonProject python = PythonProject.in(dir.resolve("python"))
        .withConf("my-module", FreePort.find(), "127.0.0.1:9001", "{\"greeting\":\"Hello\"}");
    Map<String, String> environment = new HashMap<>(python.environment());
    environment.put("CLUSTER_MODE", "offline");
    host = LauncherProcess.start(jar, python.root(), environment, List.of());

    await().atMost(Duration.ofSeconds(60)).until(() -> python.events("listening").size() == 1);
    assertThat(python.events("started").get(0).get("config").get("greeting").asString()).isEqualTo("Hello");
    python.write("conf/config.json", "{\"greeting\":\"\"}");
    host.awaitLogContaining("remote config rejected (conf/config.json): invalid config: greeting: must not be blank",
        Duration.ofSeconds(20));

    host.signal("TERM");
    assertThat(host.awaitExit(Duration.ofSeconds(20))).isZero();
  }

  @Test
  void itsJarRunsThroughTheDistributionsStartScriptWithoutJavaInClusterMode() throws Exception {
    Path script = Distribution.made().folder().resolve("bin/isp-python-wrapper");
    try (FakeConfigService service = FakeConfigService.start()) {
      PythonProject python = PythonProject.in(dir.resolve("python"))
          .withConf("my-module", FreePort.find(), service.address(), "{}");
      python.write("conf/default_remote_config.json", "{\"greeting\":\"Hello\",\"logLevel\":\"info\"}");
      service.setAddresses("isp-auth-service", "[{\"ip\":\"10.0.0.7\",\"port\":\"9011\"}]");
      Map<String, String> environment = Distribution.withoutJava(python.environment());
      environment.put("ISP_PYTHON_WRAPPER_JAR", jar.toString());

      Distribution.Result command = Distribution.run(List.of(script.toString(), "--print-command"), python.root(),
          environment, Duration.ofSeconds(10));
      assertThat(command.output().strip()).startsWith(Distribution.made().folder().resolve("runtime/bin/java")
          .toString()).endsWith("-jar " + jar);

      host = LauncherProcess.run(List.of(script.toString()), python.root(), environment);
      JsonNode schema = service.await(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA, Duration.ofSeconds(60)).json();
      assertThat(schema.get("schema").toString()).contains("\"Greeting\"");
      JsonNode ready = service.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(60)).json();
      assertThat(ready.get("endpoints").toString()).contains("/api/my-module/do").contains("report_view");
      await().atMost(Duration.ofSeconds(15)).until(() -> !python.events("addresses").isEmpty());
      assertThat(python.events("started").get(0).get("config").get("greeting").asString()).isEqualTo("Hello");

      service.pushConfig("my-module", "{\"greeting\":\"  \",\"logLevel\":\"info\"}");
      host.awaitLogContaining("greeting: must not be blank", Duration.ofSeconds(20));

      host.signal("TERM");
      assertThat(host.awaitExit(Duration.ofSeconds(20))).isZero();
    }
  }

  /** Each xml block of docs/java-api.md with a project as pom.xml, each java block by the path in its first line. */
  private static Map<String, String> documentedProject() throws IOException {
    Map<String, String> project = new LinkedHashMap<>();
    Matcher block = BLOCK.matcher(Files.readString(JAVA_API, StandardCharsets.UTF_8));
    while (block.find()) {
      String text = block.group(2);
      String first = text.lines().findFirst().orElse("");
      if (block.group(1).equals("xml") && text.contains("<project")) {
        assertThat(project.put("pom.xml", text)).as("one pom.xml in %s", JAVA_API).isNull();
      } else if (block.group(1).equals("java") && first.startsWith("// src/")) {
        assertThat(project.put(first.substring(3).strip(), text)).as("one %s in %s", first, JAVA_API).isNull();
      }
    }
    return project;
  }

  private static String section(String markdown, String heading) {
    int start = markdown.indexOf("\n" + heading + "\n");
    assertThat(start).as("README section %s", heading).isNotNegative();
    int end = markdown.indexOf("\n## ", start + heading.length() + 2);
    return markdown.substring(start, end < 0 ? markdown.length() : end);
  }

  private static String indented(String text, int spaces) {
    String indent = " ".repeat(spaces);
    StringBuilder result = new StringBuilder();
    text.lines().forEach(line -> result.append(line.isEmpty() ? "" : indent + line).append('\n'));
    return result.toString();
  }
}
