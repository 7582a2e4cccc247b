package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;

/**
 * {@code bin/isp-python-wrapper}, the production command, as installed beside the jar: it records its cache
 * without uv, starts the host with it, and a missing, stale or broken cache never breaks a start.
 */
@RealProcessTest
class StartScriptIT {
  private static final Path SCRIPT = Path.of("../bin/isp-python-wrapper");
  private static final Path JDK25 = Path.of(System.getProperty("jdk25.java",
      "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));

  @TempDir
  Path dir;

  private Path install;
  private PythonProject project;
  private LauncherProcess launcher;

  @BeforeEach
  void setUp() throws IOException {
    install = Files.createDirectories(dir.resolve("install"));
    Files.copy(SCRIPT, install.resolve("isp-python-wrapper"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(LauncherOfflineIT.JAR, install.resolve("isp-python-wrapper.jar"));
    project = PythonProject.in(Files.createDirectories(dir.resolve("project")))
        .withConf("script-module", FreePort.find(), "127.0.0.1:9001", "{\"v\":1}");
  }

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.close();
    }
    project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void createsItsCacheWithoutUvThenStartsWithIt() throws Exception {
    Map<String, String> noUv = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "JAVA", currentJava()));
    Result created = run(dir, noUv, "--create-cache");
    assertThat(created.code()).as(created.output()).isZero();
    assertThat(created.output()).contains("created " + install.resolve("isp-python-wrapper.jsa"));
    assertThat(install.resolve("isp-python-wrapper.jsa")).isRegularFile();

    // -Xshare:on makes the JVM refuse to start unless the archive is used.
    hostsTheProject(Map.of("JAVA", currentJava(), "JAVA_OPTS", "-Xshare:on"));
  }

  @Test
  void aStaleBrokenOrMissingCacheNeverBreaksAStart() throws Exception {
    Map<String, String> java = Map.of("JAVA", currentJava());
    assertThat(run(dir, java, "--create-cache").code()).isZero();
    Path jar = install.resolve("isp-python-wrapper.jar");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600))); // "another jar" to the JVM
    hostsTheProject(java);

    Files.write(install.resolve("isp-python-wrapper.jsa"), new byte[] {1, 2, 3, 4}); // broken
    hostsTheProject(java);

    Files.delete(install.resolve("isp-python-wrapper.jsa"));
    hostsTheProject(java);
  }

  @Test
  void trainsOnTheModuleOfTheProjectItRunsIn() throws Exception {
    Result created = run(project.root(), Map.of("JAVA", currentJava()), "--create-cache");
    assertThat(created.code()).as(created.output()).isZero();
    hostsTheProject(Map.of("JAVA", currentJava(), "JAVA_OPTS", "-Xshare:on"));
  }

  @Test
  void onJdk25ItRecordsAndUsesAnAotCache() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(JDK25), "no JDK 25 at " + JDK25 + " (-Djdk25.java=...)");
    Map<String, String> java = Map.of("JAVA", JDK25.toString());
    Result created = run(dir, java, "--create-cache");
    assertThat(created.code()).as(created.output()).isZero();
    assertThat(install.resolve("isp-python-wrapper.aot")).isRegularFile();
    // -XX:AOTMode=on makes the JVM refuse to start unless the cache is used.
    hostsTheProject(Map.of("JAVA", JDK25.toString(), "JAVA_OPTS", "-XX:AOTMode=on"));

    Files.setLastModifiedTime(install.resolve("isp-python-wrapper.jar"),
        FileTime.from(Instant.now().minusSeconds(3600)));
    hostsTheProject(java);
  }

  @Test
  void keepsJnasNativeLibraryBesideTheJarAndFallsBackWhenItIsBroken() throws Exception {
    Map<String, String> java = Map.of("JAVA", currentJava());
    assertThat(run(dir, java, "--create-cache").code()).isZero();
    Path folder = install.resolve("isp-python-wrapper.native");
    Path library;
    try (var files = Files.walk(folder)) {
      library = files.filter(file -> file.getFileName().toString().equals("libjnidispatch.so")).findFirst()
          .orElseThrow(() -> new AssertionError("no libjnidispatch.so under " + folder));
    }
    assertThat(library.getParent().getFileName().toString()).startsWith("jna-");

    hostsTheProject(java, pid -> assertThat(jnaLibraryOf(pid)).isEqualTo(library.toString()));

    // Broken: JNA copies its own out of the jar, as without the folder, and the child is spawned through it.
    Files.write(library, new byte[] {1, 2, 3, 4});
    hostsTheProject(java, pid -> assertThat(jnaLibraryOf(pid)).isEmpty());
  }

  /** The path of the JNA dispatch library the process has mapped from a {@code libjnidispatch.so}, or "". */
  private static String jnaLibraryOf(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
          .filter(line -> line.contains("jnidispatch")).map(line -> line.substring(line.indexOf('/')))
          .findFirst().orElse("");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void passesDottedEnvironmentOverridesThrough() throws Exception {
    // A POSIX sh like dash would drop "python.socket" (no shell identifier) before java saw it.
    hostsTheProject(Map.of("JAVA", currentJava(), "python.socket", "inherit"));

    assertThat(project.events("listening").get(0).get("inherited").asBoolean()).isTrue();
  }

  @Test
  void answersHelpAndVersionAndRefusesAnUnknownOptionWithExitCodeTwo() throws Exception {
    Map<String, String> java = Map.of("JAVA", currentJava());

    Result help = run(project.root(), java, "--help");
    assertThat(help.code()).isZero();
    assertThat(help.output()).startsWith("Usage: isp-python-wrapper ").contains("--create-cache", "--print-command");

    Result version = run(project.root(), java, "--version");
    assertThat(version.code()).isZero();
    assertThat(version.output()).isEqualTo("isp-python-wrapper " + ru.txix.isp.pywrapper.PythonWrapper.version() + "\n");

    for (String[] args : List.of(new String[] {"--bogus"}, new String[] {"--create-cache", "now"},
        new String[] {"--print-command", "--bogus"})) {
      Result wrong = run(project.root(), java, args);
      assertThat(wrong.code()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(wrong.output()).startsWith("isp-python-wrapper: ").contains("Usage: isp-python-wrapper ");
    }
    assertThat(project.events()).as("no host started").isEmpty();
    assertThat(install.resolve("isp-python-wrapper.jsa")).as("no cache made").doesNotExist();
  }

  @Test
  void withoutTheJarItSaysWhatIsMissing() throws Exception {
    Files.delete(install.resolve("isp-python-wrapper.jar"));
    Result result = run(dir, Map.of("JAVA", currentJava()));
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.output()).startsWith("isp-python-wrapper: the launcher jar is missing")
        .contains("run `make build`, or set ISP_PYTHON_WRAPPER_JAR");
  }

  /** Starts the host through the script: the child comes up, SIGTERM ends it all with 0, the JVM said nothing. */
  private void hostsTheProject(Map<String, String> extra) {
    hostsTheProject(extra, pid -> { });
  }

  /** The same, with {@code whileRunning} given the host's pid once the child listens. */
  private void hostsTheProject(Map<String, String> extra, java.util.function.LongConsumer whileRunning) {
    int before = project.events("listening").size();
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.putAll(extra);
    launcher = LauncherProcess.run(List.of(install.resolve("isp-python-wrapper").toString()), project.root(),
        environment);
    await().atMost(Duration.ofSeconds(30)).until(() -> project.events("listening").size() == before + 1
        || !launcher.alive());
    assertThat(launcher.alive()).as(String.join("\n", launcher.lines())).isTrue();
    whileRunning.accept(launcher.pid());
    launcher.signal("TERM");
    assertThat(launcher.awaitExit(Duration.ofSeconds(15))).isZero();
    assertThat(launcher.lines()).as("no JVM warnings (the cache, native access)").noneMatch(line ->
        line.startsWith("WARNING:") || line.contains("[cds")
        || line.contains("[aot") || line.toLowerCase(java.util.Locale.ROOT).contains("shared archive")
        || line.toLowerCase(java.util.Locale.ROOT).contains("aot cache"));
    launcher = null;
  }

  private Result run(Path directory, Map<String, String> extra, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(install.resolve("isp-python-wrapper").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().putAll(extra);
    Path output = Files.createTempFile(dir, "script", ".out");
    Process process = builder.redirectOutput(output.toFile()).start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), Files.readString(output));
  }

  private record Result(int code, String output) {
  }

  private static String currentJava() {
    return ProcessHandle.current().info().command().orElseThrow();
  }
}
