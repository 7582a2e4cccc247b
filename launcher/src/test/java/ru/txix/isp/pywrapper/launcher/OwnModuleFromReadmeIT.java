package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;

/**
 * The README's "Use it in your own module" taken literally: a throwaway Maven project outside this reactor, made
 * of exactly the README's {@code pom.xml} and Java files, is built against the artifacts {@code make build} /
 * {@code mvn install} put into the local Maven repository, and its jar hosts a Python project in offline mode.
 */
@RealProcessTest
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OwnModuleFromReadmeIT {
  private static final Path README = Path.of("../README.md");
  private static final String SECTION = "## Use it in your own module";
  private static final Pattern BLOCK = Pattern.compile("```(xml|java)\\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path dir;

  @Test
  void aProjectMadeOfTheReadmesPomAndJavaBuildsAndRunsItsJarInOfflineMode() throws Exception {
    Path project = dir.resolve("my-module");
    List<String> written = writeReadmeProject(project);
    assertThat(written).contains("pom.xml").anyMatch(f -> f.endsWith("Main.java"));

    List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-q", "--no-transfer-progress", "package"));
    String repository = System.getProperty("maven.repo.local", "");
    if (!repository.isBlank()) {
      mvn.add("-Dmaven.repo.local=" + repository);
    }
    Path buildLog = dir.resolve("build.log");
    Process build = new ProcessBuilder(mvn).directory(project.toFile()).redirectErrorStream(true)
        .redirectOutput(buildLog.toFile()).start();
    assertThat(build.waitFor(240, TimeUnit.SECONDS)).as("mvn package finished").isTrue();
    assertThat(build.exitValue()).as("mvn package:\n%s", Files.readString(buildLog)).isZero();
    Path jar = project.resolve("target/my-module.jar");
    assertThat(jar).isRegularFile();

    PythonProject python = PythonProject.in(dir.resolve("python"))
        .withConf("my-module", FreePort.find(), "127.0.0.1:9001", "{\"greeting\":\"Hello\"}");
    Map<String, String> environment = new java.util.HashMap<>(python.environment());
    environment.put("CLUSTER_MODE", "offline");
    try (LauncherProcess host = LauncherProcess.start(jar, python.root(), environment, List.of())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> python.events("listening").size() == 1);
      assertThat(python.events("started").get(0).get("config").get("greeting").asString()).isEqualTo("Hello");

      python.write("conf/config.json", "{\"greeting\":\"\"}");
      host.awaitLogContaining("remote config rejected (conf/config.json): invalid config: greeting: must not be blank",
          Duration.ofSeconds(20));

      host.signal("TERM");
      assertThat(host.awaitExit(Duration.ofSeconds(20))).isZero();
    }
  }

  /** Writes the README section's xml block as pom.xml and each java block to the path in its first line. */
  private static List<String> writeReadmeProject(Path project) throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int start = readme.indexOf(SECTION);
    assertThat(start).as("README section %s", SECTION).isNotNegative();
    int end = readme.indexOf("\n## ", start + SECTION.length());
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> written = new ArrayList<>();
    Matcher block = BLOCK.matcher(section);
    while (block.find()) {
      String text = block.group(2);
      String name;
      if (block.group(1).equals("xml")) {
        if (!text.contains("<project")) {
          continue;
        }
        name = "pom.xml";
      } else {
        String first = text.lines().findFirst().orElse("");
        if (!first.startsWith("// src/")) {
          continue;
        }
        name = first.substring(3).strip();
      }
      Path file = project.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      written.add(name);
    }
    return written;
  }
}
