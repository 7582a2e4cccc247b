package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import ru.txix.isp.pywrapper.supervisor.SupervisorState;

class HostProbesTest {
  private final AtomicReference<SupervisorSnapshot> snapshot = new AtomicReference<>(
      snapshot(SupervisorState.IDLE, "waiting for the first config"));
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final HostProbes probes = new HostProbes(snapshot::get, new InetSocketAddress("127.0.0.1", 9200),
      address -> accepting.get());

  @Test
  void beforeTheFirstConfigTheHostIsLiveButNotReady() {
    assertThat(probes.liveness()).isEmpty();
    assertThat(probes.readiness()).hasValue("idle: waiting for the first config");
  }

  @Test
  void aChildThatStartsOrWaitsInBackoffIsNotReadyAndTheHostStaysLive() {
    for (SupervisorState state : new SupervisorState[] {SupervisorState.STARTING, SupervisorState.RESTARTING,
        SupervisorState.BACKOFF}) {
      snapshot.set(snapshot(state, "restarting in 4s after exit code 3 (2 quick exits in a row)"));

      assertThat(probes.liveness()).as("liveness when %s", state).isEmpty();
      assertThat(probes.readiness()).as("readiness when %s", state)
          .hasValue(state.name().toLowerCase() + ": restarting in 4s after exit code 3 (2 quick exits in a row)");
    }
  }

  @Test
  void aRunningChildThatAcceptsIsReadyAsIsAnOverlapWhereTheOldChildServes() {
    snapshot.set(snapshot(SupervisorState.RUNNING, "pid 42"));
    assertThat(probes.readiness()).isEmpty();
    assertThat(probes.liveness()).isEmpty();

    snapshot.set(snapshot(SupervisorState.OVERLAPPING, "a new child starts"));
    assertThat(probes.readiness()).isEmpty();
  }

  @Test
  void aRunningChildThatStoppedAcceptingIsNotReady() {
    snapshot.set(snapshot(SupervisorState.RUNNING, "pid 42"));
    accepting.set(false);

    assertThat(probes.readiness()).hasValue("running (pid 42) but not accepting connections on 127.0.0.1:9200");
    assertThat(probes.liveness()).isEmpty();
  }

  @Test
  void fromTheShutdownOnTheHostIsNotReadyButStaysLive() {
    snapshot.set(snapshot(SupervisorState.RUNNING, "pid 42"));
    probes.ending(Lifecycle.Ending.signal("SIGTERM"));

    assertThat(probes.stopping()).isTrue();
    assertThat(probes.readiness()).hasValue("stopping");
    snapshot.set(snapshot(SupervisorState.STOPPED, "stopped"));
    assertThat(probes.liveness()).isEmpty();
  }

  @Test
  void aFatalEndingFailsLiveness() {
    probes.ending(Lifecycle.Ending.fatal("gave up: 4 quick exits in a row"));
    probes.ending(Lifecycle.Ending.signal("SIGTERM")); // the first ending counts

    assertThat(probes.liveness()).hasValue("ending: gave up: 4 quick exits in a row");
    assertThat(probes.readiness()).hasValue("stopping");
  }

  @Test
  void aSupervisorStoppedWithoutAShutdownFailsLiveness() {
    snapshot.set(snapshot(SupervisorState.STOPPED, "gave up"));

    assertThat(probes.liveness()).hasValue("the python supervisor stopped: gave up");
  }

  private static SupervisorSnapshot snapshot(SupervisorState state, String detail) {
    boolean child = state == SupervisorState.RUNNING || state == SupervisorState.OVERLAPPING;
    return new SupervisorSnapshot(state, detail, child ? 42L : null, child ? 42L : null, 1, null, 1, Map.of(),
        null, null, Map.of(), null, 0);
  }
}
