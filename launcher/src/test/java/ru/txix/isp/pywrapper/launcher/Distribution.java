package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import ru.txix.isp.pywrapper.testing.Uv;

/**
 * The distribution {@code make dist} makes ({@code scripts/make-dist} on the packaged jar), made once per test
 * run into {@code target/dist-it/} and shared by the tests that need it; and what a machine without Java looks
 * like.
 *
 * @param folder the unpacked distribution, {@code isp-python-wrapper-<version>-linux-x64/}
 * @param archive its {@code .tar.gz}
 */
record Distribution(Path folder, Path archive) {
  private static Distribution made;
  private static Path noJava;

  /** The distribution, made on first use. */
  static synchronized Distribution made() throws Exception {
    if (made == null) {
      // In target/: `mvn clean` removes it.
      Path out = Path.of("target/dist-it").toAbsolutePath();
      run(List.of("rm", "-rf", out.toString()), Path.of("."), Map.of(), Duration.ofMinutes(1));
      Result result = run(List.of("../scripts/make-dist", "--jar", LauncherOfflineIT.JAR.toString(), "--out",
          out.toString()), Path.of("."), Map.of(), Duration.ofMinutes(3));
      assertThat(result.code()).as(result.output()).isZero();
      List<Path> files;
      try (Stream<Path> listed = Files.list(out)) {
        files = listed.sorted().collect(Collectors.toList());
      }
      made = new Distribution(files.stream().filter(Files::isDirectory).findFirst().orElseThrow(),
          files.stream().filter(file -> file.toString().endsWith("-linux-x64.tar.gz")).findFirst().orElseThrow());
      noJava = programsWithout(out.resolve("no-java-bin"), name -> false);
    }
    return made;
  }

  /** {@code environment} as on a machine without Java: no JAVA, JAVA_HOME or JAVA_OPTS, PATH without java. */
  static Map<String, String> withoutJava(Map<String, String> environment) {
    Map<String, String> result = new HashMap<>(environment);
    result.remove("JAVA");
    result.remove("JAVA_HOME");
    result.remove("JAVA_OPTS");
    result.put("PATH", Uv.binary().getParent() + ":" + noJava);
    return result;
  }

  /**
   * A folder standing in for the PATH without Java: links to every program on this PATH except those of a JDK
   * ({@code java}, and whatever resolves into a JDK's folder: javac, jar, …) and those {@code left} names.
   */
  static Path programsWithout(Path folder, java.util.function.Predicate<String> left) throws IOException {
    Files.createDirectories(folder);
    for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path directory = Path.of(entry.isEmpty() ? "." : entry);
      if (!Files.isDirectory(directory)) {
        continue;
      }
      try (Stream<Path> programs = Files.list(directory)) {
        for (Path program : (Iterable<Path>) programs::iterator) {
          Path link = folder.resolve(program.getFileName().toString());
          if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(program)
              || Files.isDirectory(program) || left.test(program.getFileName().toString())) {
            continue;
          }
          String real;
          try {
            real = program.toRealPath().toString();
          } catch (IOException e) {
            continue;
          }
          if (real.contains("/jvm/") || real.contains("/jdk") || program.getFileName().toString().equals("java")) {
            continue;
          }
          Files.createSymbolicLink(link, program.toAbsolutePath());
        }
      }
    }
    return folder;
  }

  /**
   * Runs {@code command} in {@code directory} with exactly {@code environment} (none given: the test's own) and
   * waits for it; its output is stdout and stderr together.
   */
  static Result run(List<String> command, Path directory, Map<String, String> environment, Duration timeout)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    if (!environment.isEmpty()) {
      builder.environment().clear();
      builder.environment().putAll(environment);
    }
    Path output = Files.createTempFile("dist-it", ".out");
    try {
      Process process = builder.redirectOutput(output.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + timeout + ": " + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  record Result(int code, String output) {
  }
}
