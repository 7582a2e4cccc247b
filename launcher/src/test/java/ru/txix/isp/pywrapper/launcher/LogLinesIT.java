package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.LauncherProcess;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import tools.jackson.databind.JsonNode;

/**
 * Every log line is kept, whatever the signals: two signals in quick succession, at any moment of a run, leave
 * a log of JSON lines only (no raw Logback text), ending with {@code shutdown completed} and the exit code.
 */
@RealProcessTest
class LogLinesIT {
  private static final int RUNS = 8;

  @TempDir
  Path dir;

  private PythonProject project;
  private LauncherProcess launcher;

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.close();
    }
    if (project != null) {
      project.recordedPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void twoSignalsInQuickSuccessionLoseNoLineAndEndWithTheShutdownLine() throws Exception {
    project = PythonProject.in(dir).withConf("signals", FreePort.find(), "127.0.0.1:9001", "{\"v\":1}");
    Map<String, String> environment = new HashMap<>(project.environment());
    environment.put("CLUSTER_MODE", "offline");
    environment.put("python.uvArgs", "--quiet"); // uv's own lines (its venv) are not the host's
    for (int run = 0; run < RUNS; run++) {
      launcher = LauncherProcess.start(LauncherOfflineIT.JAR, project.root(), environment, List.of());
      String moment = switch (run % 4) {
        case 0 -> "starting python wrapper";    // the components are starting
        case 1 -> "python service started";     // the child is spawned, not serving yet
        default -> "python service ready";      // serving
      };
      launcher.awaitLogContaining(moment, Duration.ofSeconds(30));
      if (run % 4 == 3) {
        Thread.sleep(50L * run);
      }

      twoSignals(launcher.pid());

      int code = launcher.awaitExit(Duration.ofSeconds(20));
      List<String> lines = launcher.lines();
      List<JsonNode> logs = launcher.logs();
      assertThat(lines).as("run %d (signals after \"%s\"): every line is a JSON log line:%n%s", run, moment,
          String.join("\n", lines)).hasSize(logs.size()).noneMatch(line -> line.contains("logback"));
      JsonNode last = logs.get(logs.size() - 1);
      assertThat(last.get("message").asString()).as("run %d: the last line", run).isEqualTo("shutdown completed");
      assertThat(last.get("exitCode").asInt()).isEqualTo(code);
      assertThat(code).as("run %d: exit code", run).isIn(0, 1);
      launcher = null;
    }
  }

  /** SIGTERM then SIGINT, from one shell with no process started between the two. */
  private static void twoSignals(long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("bash", "-c", "kill -TERM $0; kill -INT $0", Long.toString(pid)).inheritIO()
        .start();
    assertThat(kill.waitFor()).isZero();
  }
}
