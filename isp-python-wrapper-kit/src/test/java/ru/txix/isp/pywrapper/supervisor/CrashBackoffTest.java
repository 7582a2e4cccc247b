package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The crash back-off is a value: each exit makes the next one. */
class CrashBackoffTest {
  private final SupervisorSettings settings = SupervisorSettings.builder().restartDelay(Duration.ofSeconds(2))
      .restartDelayMax(Duration.ofSeconds(10)).backoffResetAfter(Duration.ofSeconds(60)).maxRestarts(4).build();

  @Test
  void quickExitsInARowDoubleTheWaitUpToTheMaximumAndExhaustItAfterMaxRestarts() {
    CrashBackoff crashes = CrashBackoff.NONE;
    List<Long> waits = new ArrayList<>();
    List<Boolean> exhausted = new ArrayList<>();
    for (int exit = 0; exit < 5; exit++) {
      crashes = crashes.exited(Duration.ofSeconds(1), settings);
      waits.add(crashes.delay(settings).toSeconds());
      exhausted.add(crashes.exhausted(settings));
    }

    assertThat(waits).containsExactly(2L, 4L, 8L, 10L, 10L);
    assertThat(exhausted).containsExactly(false, false, false, false, true);
    assertThat(crashes.quickExits()).isEqualTo(5);
  }

  @Test
  void aChildThatLivedLongStartsANewRunAndOneNeverReadyCountsAsAQuickExit() {
    CrashBackoff crashes = new CrashBackoff(3);

    assertThat(crashes.exited(Duration.ofSeconds(60), settings)).isEqualTo(new CrashBackoff(1));
    assertThat(crashes.neverReady()).isEqualTo(new CrashBackoff(4));
    assertThat(crashes).as("a value: unchanged").isEqualTo(new CrashBackoff(3));
  }

  @Test
  void withoutMaxRestartsItIsNeverExhausted() {
    SupervisorSettings forever = SupervisorSettings.builder().maxRestarts(0).build();

    assertThat(new CrashBackoff(1_000).exhausted(forever)).isFalse();
    assertThat(new CrashBackoff(1_000).delay(forever)).isEqualTo(forever.restartDelayMax());
  }
}
