package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/with-tools} on a machine without uv: it puts the pinned uv into the tools folder
 * ({@code PYWRAPPER_TOOLS_DIR}) with whatever Python is there, an "externally managed" (PEP 668) system Python
 * included, and leaves that Python alone. Each run gets a PATH of its own: a folder with the {@code python3} under
 * test, then {@code /usr/bin:/bin}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ToolsBootstrapIT {
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(180);
  private static final List<String> SYSTEM_PATH = List.of("/usr/bin", "/bin");
  private static final Path ROOT = repositoryRoot();
  private static final Path WITH_TOOLS = ROOT.resolve("scripts/with-tools");
  private static final String UV_VERSION = pinnedUvVersion();

  @TempDir
  Path tools;

  @TempDir
  Path bin;

  @Test
  void withAnExternallyManagedPythonAndNoUvOnPathThePinnedUvLandsInTheToolsFolderAndThatPythonIsLeftAlone()
      throws Exception {
    Path python = externallyManagedPython().orElse(null);
    Assumptions.assumeTrue(python != null, "no externally managed (PEP 668) python3 in /usr/bin or /usr/local/bin: "
        + "nothing to check on this machine");
    assumeNoUvOnSystemPath();
    Assumptions.assumeFalse(importsUv(python), python + " imports uv already: the check that the install leaves it "
        + "alone would prove nothing");
    Files.createSymbolicLink(bin.resolve("python3"), python);

    Run run = withTools("uv", "--version");

    assertThat(run.exitCode).as(run.output).isZero();
    assertThat(run.output).as(run.output).contains("uv " + UV_VERSION + " ");
    assertThat(run.output).as(run.output).doesNotContain("Traceback", "externally-managed-environment");
    assertThat(tools.resolve("uv-" + UV_VERSION + "/uv")).as(run.output).isExecutable();
    try (Stream<Path> entries = Files.list(tools)) {
      assertThat(entries.map(p -> p.getFileName().toString())).as("no leftovers of the install in " + tools)
          .containsExactly("uv-" + UV_VERSION);
    }
    assertThat(importsUv(python)).as(python + " -c 'import uv' succeeds: uv was installed into that Python").isFalse();
  }

  @Test
  void aBrokenPython3EndsInOneLineOfWithToolsOwnThatNamesIt() throws Exception {
    assumeNoUvOnSystemPath();
    brokenPython3();

    Run run = withTools("uv", "--version");

    assertThat(run.exitCode).as(run.output).isNotZero();
    assertThat(run.lastLine()).as(run.output).startsWith("with-tools: ").contains("python3", "does not run",
        "exit code 1", "install uv " + UV_VERSION + " by hand");
    assertThat(run.output).as(run.output).doesNotContain("Traceback", "externally-managed-environment");
    assertThat(tools.resolve("uv-" + UV_VERSION + "/uv")).as(run.output).doesNotExist();
  }

  @Test
  void aSecondRunWithTheSameToolsFolderReusesTheInstalledUvAndNeedsNoPython() throws Exception {
    assumeNoUvOnSystemPath();
    Path python = externallyManagedPython().or(ToolsBootstrapIT::hostPython).orElse(null);
    Assumptions.assumeTrue(python != null, "no python3 on this machine to install uv with");
    Files.createSymbolicLink(bin.resolve("python3"), python);
    Run first = withTools("uv", "--version");
    assertThat(first.exitCode).as(first.output).isZero();
    Files.delete(bin.resolve("python3"));
    brokenPython3();

    Run second = withTools("uv", "--version");

    assertThat(second.exitCode).as(second.output).isZero();
    assertThat(second.output).as(second.output).startsWith("uv " + UV_VERSION + " ").doesNotContain("install");
  }

  private record Run(int exitCode, String output) {
    String lastLine() {
      List<String> lines = output.strip().lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  /** Runs scripts/with-tools COMMAND with PATH = bin, /usr/bin, /bin and the test's tools folder. */
  private Run withTools(String... command) throws Exception {
    List<String> line = Stream.concat(Stream.of(WITH_TOOLS.toString()), Stream.of(command)).toList();
    ProcessBuilder builder = new ProcessBuilder(line).directory(ROOT.toFile()).redirectErrorStream(true);
    Path log = Files.createTempFile("with-tools", ".log");
    builder.redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    environment.remove("UV_VERSION");
    environment.put("PATH", bin + File.pathSeparator + String.join(File.pathSeparator, SYSTEM_PATH));
    environment.put("PYWRAPPER_TOOLS_DIR", tools.toString());
    Process process = builder.start();
    try {
      boolean exited = process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(exited).as(String.join(" ", line) + " did not finish in " + PROCESS_TIMEOUT + ":\n" + output)
          .isTrue();
      return new Run(process.exitValue(), output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private void brokenPython3() throws IOException {
    Path python3 = bin.resolve("python3");
    Files.writeString(python3, "#!/bin/sh\necho 'python3: cannot load libpython3.so'\nexit 1\n");
    python3.toFile().setExecutable(true);
  }

  private static void assumeNoUvOnSystemPath() {
    for (String dir : SYSTEM_PATH) {
      Assumptions.assumeFalse(Files.isExecutable(Path.of(dir, "uv")),
          dir + "/uv exists, so there is no machine without uv to test here");
    }
  }

  /** A python3 whose standard library folder holds EXTERNALLY-MANAGED (PEP 668). */
  private static Optional<Path> externallyManagedPython() {
    for (String candidate : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
      Path python = Path.of(candidate);
      if (Files.isExecutable(python) && output(python.toString(), "-c",
          "import os, sysconfig; print(os.path.isfile(os.path.join(sysconfig.get_path('stdlib'), "
              + "'EXTERNALLY-MANAGED')))").filter("True"::equals).isPresent()) {
        return Optional.of(python);
      }
    }
    return Optional.empty();
  }

  /** The real executable of the python3 on the host's PATH (not a pyenv shim, whose folder may hold uv). */
  private static Optional<Path> hostPython() {
    return output("python3", "-c", "import sys; print(sys.executable)").map(Path::of).filter(Files::isExecutable);
  }

  private static boolean importsUv(Path python) {
    return output(python.toString(), "-c", "import uv").isPresent();
  }

  /** The stripped stdout of a command that exits 0, else empty. */
  private static Optional<String> output(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      return process.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/with-tools"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no scripts/with-tools above " + Path.of("").toAbsolutePath());
  }

  private static String pinnedUvVersion() {
    try {
      Matcher pin = Pattern.compile("UV_VERSION=\"\\$\\{UV_VERSION:-([^}]+)}\"")
          .matcher(Files.readString(ROOT.resolve("scripts/with-tools")));
      if (!pin.find()) {
        throw new IllegalStateException("no UV_VERSION=\"${UV_VERSION:-...}\" in scripts/with-tools");
      }
      return pin.group(1);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
