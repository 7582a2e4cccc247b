package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The supervisor under failure, on the fake scheduler: the crash back-off and giving up, the start timeout,
 * liveness, and a binding address held by another process.
 */
class PySupervisorFailuresTest extends SupervisorHarness {

  private PySupervisor supervisor(SupervisorSettings settings) {
    return build(builder().settings(settings));
  }

  @Test
  void quickExitsDoubleTheWaitUpToTheMaximumAndALongLivedChildResetsIt() {
    supervisor(SupervisorSettings.builder().restartDelayMax(Duration.ofSeconds(16)).build());
    supervisor.configReceived(JSON.readTree("{}"));
    List<Long> waits = new ArrayList<>();
    for (int exit = 1; exit <= 6; exit++) {
      time.advance(Duration.ofMillis(100));
      launcher.last().exit(1);
      SupervisorSnapshot.Backoff backoff = supervisor.snapshot().backoff();
      waits.add(backoff.delay().toSeconds());
      assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.BACKOFF);
      assertThat(supervisor.snapshot().quickExits()).isEqualTo(exit);
      time.advance(backoff.delay().minusMillis(1));
      assertThat(launcher.children).as("not before the wait is over").hasSize(exit);
      time.advance(Duration.ofMillis(1));
      assertThat(launcher.children).hasSize(exit + 1);
    }
    assertThat(waits).containsExactly(2L, 4L, 8L, 16L, 16L, 16L);

    probe.accept();
    time.advance(Duration.ofSeconds(70));
    launcher.last().exit(1);

    assertThat(supervisor.snapshot().backoff().delay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(supervisor.snapshot().quickExits()).isEqualTo(1);
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.EXITED, 6L);
  }

  @Test
  void afterMaxRestartsQuickExitsInARowTheSupervisorGivesUpAndStops() {
    supervisor(SupervisorSettings.builder().maxRestarts(3).build());
    supervisor.configReceived(JSON.readTree("{}"));
    for (int exit = 1; exit <= 3; exit++) {
      launcher.last().exit(1);
      time.advance(supervisor.snapshot().backoff().delay());
    }
    assertThat(launcher.children).hasSize(4);
    history.clear();

    launcher.last().exit(1);

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);
    assertThat(supervisor.stoppedFuture()).isDone();
    assertThat(gaveUp).singleElement().asString().isEqualTo("giving up: the python service exited quickly 4 "
        + "times in a row (python.maxRestarts: 3); last: exit code 1");
    assertThat(history).contains("STARTING -> STOPPED").noneMatch(h -> h.startsWith("launch"));
  }

  @Test
  void aNewConfigDuringTheBackoffStartsAtOnce() {
    supervisor(SupervisorSettings.DEFAULTS);
    supervisor.configReceived(JSON.readTree("{\"v\":1}"));
    launcher.last().exit(1);
    launcher.last();
    time.advance(Duration.ofSeconds(2));
    launcher.last().exit(1);
    assertThat(supervisor.snapshot().backoff().delay()).isEqualTo(Duration.ofSeconds(4));

    supervisor.configReceived(JSON.readTree("{\"v\":2}"));

    assertThat(launcher.children).hasSize(3);
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STARTING);
    assertThat(supervisor.snapshot().backoff()).isNull();
  }

  @Test
  void aChildNotAcceptingByTheStartTimeoutIsReportedOnceAndLeftRunningByDefault() {
    supervisor(SupervisorSettings.builder().startTimeout(Duration.ofSeconds(3)).build());
    supervisor.configReceived(JSON.readTree("{}"));

    time.advance(Duration.ofMillis(2999));
    assertThat(supervisor.snapshot().lastError()).isNull();
    time.advance(Duration.ofMillis(1));

    assertThat(supervisor.snapshot().lastError().message()).startsWith("the python service has not accepted "
        + "connections on 127.0.0.1:9200 after 3s (python.startTimeout): pid 1001 alive");
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STARTING);
    time.advance(Duration.ofMinutes(5));
    assertThat(launcher.children).hasSize(1);
    probe.accept();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void withRestartAChildNotAcceptingByTheStartTimeoutIsReplaced() {
    supervisor(SupervisorSettings.builder().startTimeout(Duration.ofSeconds(3))
        .startTimeoutAction(SupervisorSettings.StartTimeoutAction.RESTART).build());
    supervisor.configReceived(JSON.readTree("{}"));
    history.clear();

    time.advance(Duration.ofSeconds(3));

    assertThat(history).containsSubsequence("SIGTERM 1001", "exited 1001 143 expected");
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.BACKOFF);
    time.advance(supervisor.snapshot().backoff().delay());
    assertThat(launcher.children).hasSize(2);
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.START_TIMEOUT, 1L);
  }

  @Test
  void failedLivenessChecksUpToTheThresholdReplaceTheChildAndAPassResetsTheCount() {
    supervisor(SupervisorSettings.builder().liveness(new SupervisorSettings.Liveness("/health",
        Duration.ofSeconds(10), Duration.ofSeconds(2), 3)).build());
    supervisor.configReceived(JSON.readTree("{}"));
    assertThat(liveness.watching()).as("only a running child is checked").isFalse();
    probe.accept();
    assertThat(liveness.watching()).isTrue();

    liveness.fail("timeout");
    liveness.fail("timeout");
    liveness.pass();
    liveness.fail("timeout");
    liveness.fail("timeout");
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
    history.clear();

    liveness.fail("GET /health answered HTTP 500");

    assertThat(history).containsSubsequence("SIGTERM 1001", "RUNNING -> RESTARTING");
    assertThat(liveness.watching()).isFalse();
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.LIVENESS, 0L);
    time.advance(supervisor.snapshot().backoff().delay());
    assertThat(launcher.children).hasSize(2);
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.LIVENESS, 1L);
  }

  @Test
  void aBindingAddressHeldByAnotherProcessSpawnsNothingUntilItIsFree() {
    supervisor(SupervisorSettings.DEFAULTS);
    foreignListener = Optional.of("BINDING_ADDRESS 127.0.0.1:9200 is already in use: 127.0.0.1:9200 is held by "
        + "pid 4242 (python3 -m http.server 9200)");

    supervisor.configReceived(JSON.readTree("{}"));
    time.advance(Duration.ofSeconds(10));

    assertThat(launcher.children).isEmpty();
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.BACKOFF);
    assertThat(supervisor.snapshot().detail()).contains("held by pid 4242 (python3 -m http.server 9200)");
    assertThat(supervisor.snapshot().restarts()).containsEntry(RestartCause.START_FAILED, 5L);

    foreignListener = Optional.empty();
    time.advance(Duration.ofSeconds(2));
    probe.accept();

    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.RUNNING);
  }

  @Test
  void aChildRecordThatCannotBeRemovedHoldsTheEndOfTheStopForTwoSecondsAtMost() throws Exception {
    AtomicBoolean hung = new AtomicBoolean();
    AtomicInteger hanging = new AtomicInteger();
    build(builder().recordWriter(task -> {
      if (hung.get()) {
        hanging.incrementAndGet(); // the removal at the end of the stop never runs (a hung mount, say)
      } else {
        task.run();
      }
    }));
    startRunning("{}");
    hung.set(true);

    long begin = System.nanoTime();
    supervisor.stopAsync();
    launcher.last().exit(143);
    supervisor.stoppedFuture().get(10, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("the removal's time limit, with a margin")
        .isBetween(Duration.ofMillis(1_900), Duration.ofSeconds(8));
    assertThat(hanging).as("the removal was handed to the writer, which hangs").hasValue(1);
  }
}
