package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;

/** The state machine with fake processes, a fake clock and a direct executor: no threads, no sleeping. */
class PySupervisorTest extends SupervisorHarness {

  @BeforeEach
  void setUp() {
    build(builder()
        .bindingAddress(new BindingAddress("0.0.0.0", 9003))
        .command(new LaunchSpec("uv", List.of("--frozen"), "main.py", dir,
            Map.of("PATH", "/usr/bin", "VIRTUAL_ENV", "/somewhere/.venv"))));
  }

  @Test
  void firstConfigWritesTheFileThenStartsUvWithBindingAddressAndConfigFile() throws Exception {
    supervisor.configReceived(json("{\"a\":1}"));

    assertThat(history()).containsExactly("launch 1001", "IDLE -> STARTING");
    Path file = dir.resolve("config.json");
    assertThat(JSON.readTree(Files.readString(file))).isEqualTo(json("{\"a\":1}"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    LaunchSpec spec = launcher.specs.get(0);
    assertThat(spec.command()).containsExactly("uv", "run", "--frozen", "main.py");
    assertThat(spec.environment())
        .containsEntry("BINDING_ADDRESS", "0.0.0.0:9003")
        .containsEntry("CONFIG_FILE", file.toString())
        .containsEntry("PYTHONUNBUFFERED", "1")
        .containsEntry("PATH", "/usr/bin")
        .doesNotContainKey("VIRTUAL_ENV");
    assertThat(probe.lastBinding.connectHost()).isEqualTo("127.0.0.1");
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STARTING);
    assertThat(supervisor.snapshot().pid()).isEqualTo(1001L);
  }

  @Test
  void childIsRunningOnceItAcceptsConnectionsAndThenGetsEveryKnownHostList() {
    supervisor.hostsReceived("auth", List.of("10.0.0.1:9001"));
    supervisor.configReceived(json("{}"));
    history.clear();

    probe.accept();

    assertThat(history()).containsExactly(
        "deliver all gen=1 to 0.0.0.0:9003 {auth=[10.0.0.1:9001]}", "STARTING -> RUNNING");
    assertThat(supervisor.snapshot().accepting()).isTrue();
  }

  @Test
  void configTheSameToItsReaderDoesNotRestartTheChild() {
    startRunning("{\"a\":1,\"b\":{\"c\":[1,2.50,-0.0]}}");

    supervisor.configReceived(json("{ \"b\": {\"c\": [1, 2.50, -0.0]}, \"a\": 1 }"));

    assertThat(history()).containsExactly("config unchanged");
    assertThat(launcher.children).hasSize(1);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void aNumberWrittenDifferentlyIsAChangeEvenAtTheSameValue() throws Exception {
    startRunning("{\"a\":0.0,\"b\":5}");
    time.advance(Duration.ofSeconds(10));

    supervisor.configReceived(json("{\"a\":-0.0,\"b\":5}"));

    assertThat(history()).as("-0.0 is not 0.0 to the child").contains("RUNNING -> RESTARTING");
    assertThat(Files.readString(dir.resolve("config.json"))).isEqualTo("{\"a\":-0.0,\"b\":5}");
  }

  @Test
  void changedConfigStopsTheChildAndStartsTheNextOnlyAfterTheOldOneExited() throws Exception {
    launcher.childrenIgnoreSigterm = true;
    startRunning("{\"v\":1}");
    time.advance(Duration.ofSeconds(10));

    supervisor.configReceived(json("{\"v\":2}"));
    assertThat(history()).containsExactly("gone gen=1", "SIGTERM 1001", "RUNNING -> RESTARTING");
    assertThat(JSON.readTree(Files.readString(dir.resolve("config.json")))).isEqualTo(json("{\"v\":2}"));

    launcher.last().exit(143);

    assertThat(history()).containsExactly("gone gen=1", "cleanUp 1001", "launch 1002",
        "exited 1001 143 expected", "RESTARTING -> STARTING");
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.CONFIG_CHANGED, 1L);
  }

  @Test
  void configsArrivingRightAfterAStartCollapseIntoOneRestartWithTheNewest() {
    startRunning("{\"v\":0}");
    for (int i = 1; i <= 100; i++) {
      supervisor.configReceived(json("{\"v\":" + i + "}"));
      time.advance(Duration.ofMillis(10));
    }
    assertThat(launcher.children).hasSize(1);
    history.clear();

    time.advance(Duration.ofMillis(500));

    assertThat(launcher.children).hasSize(2);
    assertThat(history()).contains("SIGTERM 1001", "launch 1002");
    assertThat(fileContent()).isEqualTo(json("{\"v\":100}"));
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.CONFIG_CHANGED, 1L);
  }

  @Test
  void childThatExitsByItselfIsStartedAgainAfterTheRestartDelay() {
    startRunning("{}");

    launcher.last().exit(3);
    assertThat(history()).containsExactly("gone gen=1", "cleanUp 1001", "exited 1001 3 unexpected",
        "RUNNING -> BACKOFF", "restart in 2000ms (exited)");
    assertThat(supervisor.snapshot().detail()).isEqualTo("restarting in 2s after exit code 3");
    assertThat(supervisor.snapshot().backoff().delay()).isEqualTo(Duration.ofSeconds(2));

    time.advance(Duration.ofMillis(1999));
    assertThat(launcher.children).hasSize(1);
    time.advance(Duration.ofMillis(1));

    assertThat(history()).containsExactly("launch 1002", "BACKOFF -> STARTING");
    SupervisorSnapshot snapshot = supervisor.snapshot();
    assertThat(snapshot.lastExit().status().code()).isEqualTo(3);
    assertThat(snapshot.starts()).isEqualTo(2);
    assertThat(snapshot.restarts()).containsEntry(RestartCause.EXITED, 1L);
  }

  @Test
  void newConfigDuringTheRestartDelayStartsTheChildAtOnce() {
    startRunning("{\"v\":1}");
    launcher.last().exit(1);
    history.clear();

    supervisor.configReceived(json("{\"v\":2}"));

    assertThat(history()).containsExactly("launch 1002", "BACKOFF -> STARTING");
    assertThat(time.pending()).as("only the start timeout").isEqualTo(1);
  }

  @Test
  void stopDuringTheRestartDelayStopsAtOnce() {
    startRunning("{}");
    launcher.last().exit(1);
    history.clear();

    supervisor.stopAsync();

    assertThat(history()).containsExactly("delivery closed", "BACKOFF -> STOPPED");
    assertThat(supervisor.stoppedFuture()).isDone();
    time.advance(Duration.ofSeconds(10));
    assertThat(launcher.children).hasSize(1);
  }

  @Test
  void failedStartIsReportedAndRetriedEveryStartRetryDelayUntilItWorks() {
    launcher.failNext("uv not found on PATH (/usr/bin)");
    launcher.failNext("uv not found on PATH (/usr/bin)");

    supervisor.configReceived(json("{}"));
    assertThat(history()).containsExactly("launch failed", "IDLE -> BACKOFF", "restart in 2000ms (start_failed)");
    assertThat(supervisor.snapshot().lastError().message())
        .isEqualTo("Cannot start `uv run --frozen main.py` in " + dir + ": uv not found on PATH (/usr/bin)");

    time.advance(Duration.ofSeconds(2));
    assertThat(history()).as("no self-transition").containsExactly("launch failed",
        "restart in 2000ms (start_failed)");
    time.advance(Duration.ofSeconds(2));

    assertThat(history()).containsExactly("launch 1001", "BACKOFF -> STARTING");
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.START_FAILED, 2L);
  }

  @Test
  void childIgnoringSigtermIsKilledAfterTheStopTimeout() {
    launcher.childrenIgnoreSigterm = true;
    startRunning("{}");

    supervisor.stopAsync();
    assertThat(history()).containsExactly("gone gen=1", "SIGTERM 1001", "RUNNING -> STOPPING");
    time.advance(Duration.ofMillis(4999));
    assertThat(history()).isEmpty();
    time.advance(Duration.ofMillis(1));

    assertThat(history()).containsExactly("SIGKILL 1001", "escalated 1001", "gone gen=1", "cleanUp 1001",
        "delivery closed", "exited 1001 137 expected", "STOPPING -> STOPPED");
    assertThat(supervisor.stoppedFuture()).isDone();
  }

  @Test
  void stopBeforeAnyConfigStopsAtOnceAndIsIdempotent() {
    supervisor.stopAsync();
    supervisor.stopAsync();
    supervisor.configReceived(json("{}"));

    assertThat(history()).containsExactly("delivery closed", "IDLE -> STOPPED");
    assertThat(launcher.children).isEmpty();
  }

  @Test
  void stopWhileReplacingTheChildWaitsForItAndStartsNothingNew() {
    launcher.childrenIgnoreSigterm = true;
    startRunning("{\"v\":1}");
    time.advance(Duration.ofSeconds(10));
    supervisor.configReceived(json("{\"v\":2}"));
    history.clear();

    supervisor.stopAsync();
    assertThat(history()).containsExactly("RESTARTING -> STOPPING");
    launcher.last().exit(143);

    assertThat(history()).containsExactly("gone gen=1", "cleanUp 1001", "delivery closed",
        "exited 1001 143 expected", "STOPPING -> STOPPED");
    assertThat(launcher.children).hasSize(1);
  }

  @Test
  void hostListsReachTheRunningChildAndEveryNewChild() {
    startRunning("{\"v\":1}");
    supervisor.hostsReceived("auth", List.of("10.0.0.1:9001"));
    supervisor.hostsReceived("auth", List.of("10.0.0.2:9001"));
    assertThat(history()).containsExactly("deliver gen=1 auth=[10.0.0.1:9001]",
        "deliver gen=1 auth=[10.0.0.2:9001]");

    launcher.last().exit(1);
    supervisor.hostsReceived("files", List.of());
    time.advance(Duration.ofSeconds(2));
    history.clear();
    probe.accept();

    assertThat(history()).containsExactly(
        "deliver all gen=2 to 0.0.0.0:9003 {auth=[10.0.0.2:9001], files=[]}", "STARTING -> RUNNING");
    assertThat(supervisor.snapshot().hosts()).containsEntry("auth", List.of("10.0.0.2:9001"));
  }

  @Test
  void hostListsWhileStartingWaitUntilTheChildAccepts() {
    supervisor.configReceived(json("{}"));
    supervisor.hostsReceived("auth", List.of("10.0.0.1:9001"));
    assertThat(history()).containsExactly("launch 1001", "IDLE -> STARTING");

    probe.accept();

    assertThat(history()).containsExactly(
        "deliver all gen=1 to 0.0.0.0:9003 {auth=[10.0.0.1:9001]}", "STARTING -> RUNNING");
  }

  @Test
  void exitOfAChildStillStartingIsRestartedLikeAnyExit() {
    supervisor.configReceived(json("{}"));
    history.clear();

    launcher.last().exit(2);

    assertThat(history()).contains("STARTING -> BACKOFF", "restart in 2000ms (exited)");
    assertThat(probe.probing()).isFalse();
  }

  @Test
  void unwritableConfigFileKeepsTheRunningChildOnItsPreviousConfig() throws Exception {
    startRunning("{\"v\":1}");
    Files.delete(dir.resolve("config.json"));
    Files.createDirectory(dir.resolve("config.json"));
    time.advance(Duration.ofSeconds(10));

    supervisor.configReceived(json("{\"v\":2}"));

    assertThat(history()).isEmpty();
    assertThat(launcher.children).hasSize(1);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
    assertThat(supervisor.snapshot().lastError().message()).startsWith("cannot write config file " + dir);
  }

  @Test
  void configThatCouldNotBeWrittenIsRetriedAndAppliedOnceTheFileCanBeWritten() throws Exception {
    startRunning("{\"v\":1}");
    Path file = dir.resolve("config.json");
    Files.delete(file);
    Files.createDirectory(file);
    time.advance(Duration.ofSeconds(10));

    supervisor.configReceived(json("{\"v\":2}"));
    assertThat(history()).isEmpty();
    supervisor.configReceived(json("{\"v\":2}"));
    assertThat(history()).as("a re-sent config is not 'unchanged' while unwritten").isEmpty();
    time.advance(Duration.ofSeconds(2));
    assertThat(launcher.children).hasSize(1);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);

    Files.delete(file);
    time.advance(Duration.ofSeconds(2));

    assertThat(history()).containsExactly("gone gen=1", "SIGTERM 1001", "RUNNING -> RESTARTING", "gone gen=1",
        "cleanUp 1001", "launch 1002", "exited 1001 143 expected", "RESTARTING -> STARTING");
    assertThat(fileContent()).isEqualTo(json("{\"v\":2}"));
  }

  @Test
  void configBackToTheOneTheChildRunsCancelsThePendingRestart() {
    startRunning("{\"v\":1}");
    supervisor.configReceived(json("{\"v\":2}"));
    supervisor.configReceived(json("{\"v\":1}"));

    time.advance(Duration.ofSeconds(5));

    assertThat(launcher.children).hasSize(1);
    assertThat(fileContent()).isEqualTo(json("{\"v\":1}"));
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void failingSigtermStillEscalatesToSigkillAfterTheStopTimeout() {
    startRunning("{}");
    launcher.last().sigtermFails = true;

    supervisor.stopAsync();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPING);
    assertThat(supervisor.snapshot().lastError().message())
        .isEqualTo("SIGTERM to the python process failed: kill(-1001, SIGTERM) failed: errno 1");
    time.advance(Duration.ofSeconds(5));

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);
    assertThat(history()).contains("SIGKILL 1001", "STOPPING -> STOPPED");
  }

  @Test
  void leftoversOfAnExitedChildAreKilledAndReported() {
    startRunning("{}");
    launcher.last().leftovers = List.of(2001L, 2002L);

    launcher.last().exit(0);

    assertThat(history()).contains("leftovers killed [2001, 2002]");
  }

  @Test
  void failingListenerDoesNotStopTheSupervisor() {
    supervisor.addListener(new SupervisorListener() {
      @Override
      public void stateChanged(SupervisorState from, SupervisorSnapshot snapshot) {
        throw new IllegalStateException("boom");
      }
    });

    supervisor.configReceived(json("{}"));
    probe.accept();

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void awaitRunningCompletesOnceTheChildAcceptsTakingQueuedConfigsIntoAccount() {
    java.util.concurrent.CompletableFuture<Void> beforeAnyConfig = supervisor.awaitRunning();
    startRunning("{\"v\":1}");
    assertThat(beforeAnyConfig).isDone();
    assertThat(supervisor.awaitRunning()).isDone();

    time.advance(Duration.ofSeconds(10));
    supervisor.configReceived(json("{\"v\":2}"));
    java.util.concurrent.CompletableFuture<Void> afterChange = supervisor.awaitRunning();
    assertThat(launcher.children).hasSize(2); // the first one exited on SIGTERM, the second starts
    assertThat(afterChange).isNotDone();
    probe.accept();

    assertThat(afterChange).isDone();
  }

  @Test
  void awaitRunningFailsWhenTheSupervisorStops() {
    supervisor.configReceived(json("{}"));
    java.util.concurrent.CompletableFuture<Void> waiting = supervisor.awaitRunning();

    supervisor.stopAsync();

    assertThat(waiting).isCompletedExceptionally();
    assertThat(supervisor.awaitRunning()).isCompletedExceptionally();
  }

  @Test
  void theStopCompletesOnlyOnceTheSweepAfterTheLastExitIsBack() {
    startRunning("{}");
    CompletableFuture<List<Long>> sweep = new CompletableFuture<>();
    launcher.last().sweep = sweep;

    supervisor.stopAsync();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);
    assertThat(supervisor.stoppedFuture()).as("the sweep is still out").isNotDone();
    history.clear();
    sweep.complete(List.of(2001L));

    assertThat(history()).containsExactly("leftovers killed [2001]");
    assertThat(supervisor.stoppedFuture()).isDone();
  }

  @Test
  void theStopWaitsForASweepThatDoesNotComeBackAtMostTwoSeconds() {
    startRunning("{}");
    launcher.last().sweep = new CompletableFuture<>();

    supervisor.stopAsync();
    time.advance(Duration.ofMillis(1999));
    assertThat(supervisor.stoppedFuture()).isNotDone();
    time.advance(Duration.ofMillis(1));

    assertThat(supervisor.stoppedFuture()).isDone();
  }

  @Test
  void aChildRecordedByAPreviousHostIsReapedOffTheSupervisorThreadBeforeTheFirstStart() throws Exception {
    List<Runnable> reaper = new ArrayList<>();
    Path record = dir.resolve(".config.json.child");
    Files.writeString(record, "{\"hostPid\":-1,\"pid\":-1,\"pgid\":-1,\"childId\":\"\"}\n");
    build(builder().reaper(reaper::add));

    supervisor.configReceived(json("{}"));
    assertThat(history()).isEmpty();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.IDLE);
    assertThat(reaper).hasSize(1);
    reaper.get(0).run();

    assertThat(history()).containsExactly("launch 1001", "IDLE -> STARTING");
    assertThat(record).doesNotExist();
  }

  @Test
  void aStopBeforeAnyConfigLeavesAPreviousHostsChildRecordForTheNextStartToReap() throws Exception {
    Path record = dir.resolve(".config.json.child");
    Files.writeString(record, "{\"hostPid\":-1,\"pid\":-1}\n");

    supervisor.stopAsync();

    assertThat(supervisor.stoppedFuture()).isDone();
    assertThat(record).exists();
  }
}
