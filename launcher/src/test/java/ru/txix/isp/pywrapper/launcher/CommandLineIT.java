package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.PythonWrapper;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;

/**
 * The launcher's command line ({@code java -jar isp-python-wrapper.jar}): {@code --help} and {@code --version}
 * answer on stdout with exit code 0; anything else is a usage error — the usage on stderr, exit code 2, and the
 * host not started. (The start script passes them on: {@link StartScriptIT}.)
 */
@RealProcessTest
class CommandLineIT {
  @TempDir
  Path dir;

  @Test
  void helpPrintsTheUsageAndExitsZero() throws Exception {
    Result result = run("--help");

    assertThat(result.code()).isZero();
    assertThat(result.stdout()).startsWith("Usage: isp-python-wrapper [--help | --version | --create-cache | "
        + "--print-command]").contains("CLUSTER_MODE=offline").contains("Exit codes:");
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void versionPrintsTheKitsReleaseVersionAndExitsZero() throws Exception {
    Result result = run("--version");

    assertThat(result.code()).isZero();
    assertThat(result.stdout()).isEqualTo("isp-python-wrapper " + PythonWrapper.version() + "\n")
        .matches("isp-python-wrapper \\d+\\.\\d+\\.\\d+\n");
  }

  @Test
  void anUnknownOptionIsAUsageErrorAndTheHostDoesNotStart() throws Exception {
    PythonProject project = PythonProject.in(dir).withConf("cli", FreePort.find(), "127.0.0.1:9001", "{}");

    for (List<String> args : List.of(List.of("--bogus"), List.of("serve"), List.of("--version", "now"))) {
      Result result = run(args.toArray(String[]::new));

      assertThat(result.code()).as("%s", args).isEqualTo(2);
      assertThat(result.stdout()).isEmpty();
      assertThat(result.stderr()).startsWith("isp-python-wrapper: ").contains("\n\nUsage: isp-python-wrapper ");
    }
    assertThat(run("--bogus").stderr()).startsWith("isp-python-wrapper: unknown option --bogus\n");
    assertThat(project.events()).isEmpty();
    assertThat(project.root().resolve(".pywrapper")).doesNotExist();
  }

  private Result run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        LauncherOfflineIT.JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private record Result(int code, String stdout, String stderr) {
  }
}
