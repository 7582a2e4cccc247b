package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the listening socket inherited and readiness by notification, a new config overlaps the children: the new
 * one starts while the old one serves, and the old one is stopped only once the new one is ready. On the fake
 * scheduler, with fake children.
 */
class PySupervisorOverlapTest extends SupervisorHarness {

  @BeforeEach
  void setUp() {
    launcher.childrenIgnoreSigterm = true;
    build(builder()
        .settings(SupervisorSettings.builder().startTimeout(Duration.ofSeconds(10)).build())
        .inheritedSocket(new FixedSocket(3, 4242))
        .readinessByNotification(dir.resolve("notify")));
    supervisor.configReceived(JSON.readTree("{\"v\":1}"));
    probe.accept();
    time.advance(Duration.ofSeconds(5));
    history.clear();
  }

  @Test
  void aNewConfigStartsTheNextChildWhileTheOldOneServesAndStopsTheOldOneOnlyWhenTheNewOneIsReady() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));

    assertThat(history).containsExactly("launch 1002", "RUNNING -> OVERLAPPING");
    assertThat(supervisor.snapshot().pid()).as("the old one still serves").isEqualTo(1001L);
    history.clear();

    probe.accept();

    assertThat(history).containsExactly("gone gen=1", "SIGTERM 1001",
        "deliver all gen=2 to 127.0.0.1:9200 {}", "OVERLAPPING -> RUNNING");
    assertThat(supervisor.snapshot().pid()).isEqualTo(1002L);
    history.clear();
    time.advance(Duration.ofSeconds(5));
    assertThat(history).as("SIGKILL for the old one after stopTimeout").containsExactly("SIGKILL 1001",
        "cleanUp 1001", "exited 1001 137 expected");
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void aNewChildThatExitsBeforeItIsReadyLeavesTheOldOneServingAndTheConfigIsRetriedAfterABackoff() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));
    history.clear();

    launcher.last().exit(1);

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
    assertThat(supervisor.snapshot().pid()).isEqualTo(1001L);
    assertThat(supervisor.snapshot().lastError().message()).startsWith("config not applied: the new python "
        + "process exited with exit code 1 before it was ready; the previous python process keeps serving, "
        + "retrying in 2s");
    assertThat(history).doesNotContain("SIGTERM 1001");
    time.advance(Duration.ofSeconds(2));
    assertThat(launcher.children).as("retried: a third child overlaps the first").hasSize(3);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.OVERLAPPING);
  }

  @Test
  void aNewChildNotReadyWithinTheStartTimeoutIsStoppedAndTheOldOneGoesOn() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));
    history.clear();

    time.advance(Duration.ofSeconds(10));

    assertThat(history).contains("SIGTERM 1002").doesNotContain("SIGTERM 1001");
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
    assertThat(supervisor.snapshot().pid()).isEqualTo(1001L);
    assertThat(supervisor.snapshot().lastError().message()).contains("was not ready within 10s");
  }

  @Test
  void theOldChildDyingDuringTheOverlapLeavesTheNewOneStarting() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));

    launcher.children.get(0).exit(1);

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STARTING);
    assertThat(supervisor.snapshot().pid()).isEqualTo(1002L);
    probe.accept();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void aStopDuringTheOverlapStopsBothAndStopsOnlyWhenBothAreGone() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));
    history.clear();

    supervisor.stopAsync();
    assertThat(history).contains("SIGTERM 1002", "SIGTERM 1001");
    launcher.children.get(0).exit(143);
    assertThat(supervisor.stoppedFuture()).isNotDone();
    launcher.children.get(1).exit(143);

    assertThat(supervisor.stoppedFuture()).isDone();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);
  }

  @Test
  void aConfigThatArrivesDuringTheOverlapIsAppliedOnceTheNewChildHasRunAMoment() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));
    supervisor.configReceived(JSON.readTree("{\"v\":3}"));
    assertThat(fileContent()).isEqualTo(JSON.readTree("{\"v\":3}"));

    probe.accept();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
    assertThat(supervisor.snapshot().pid()).isEqualTo(1002L);
    time.advance(Duration.ofMillis(1499));
    assertThat(launcher.children).hasSize(2);
    time.advance(Duration.ofMillis(1));

    assertThat(launcher.children).as("a third child, with the newest config").hasSize(3);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.OVERLAPPING);
    history.clear();
    probe.accept();
    assertThat(history).contains("SIGTERM 1002", "OVERLAPPING -> RUNNING");
    assertThat(supervisor.awaitRunning()).isDone();
  }

  @Test
  void aStopDuringABackoffCompletesOnlyOnceTheChildLetGoAfterAnOverlapIsGone() {
    supervisor.configReceived(JSON.readTree("{\"v\":2}"));
    probe.accept(); // 1001, ignoring its SIGTERM, is let go
    launcher.last().exit(1); // 1002 crashes: BACKOFF

    supervisor.stopAsync();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);
    assertThat(supervisor.stoppedFuture()).as("1001 still runs").isNotDone();
    history.clear();
    time.advance(Duration.ofSeconds(5));

    assertThat(history).containsExactly("SIGKILL 1001", "cleanUp 1001", "exited 1001 137 expected");
    assertThat(supervisor.stoppedFuture()).isDone();
  }
}
