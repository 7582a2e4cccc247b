package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesGoDurationStrings() {
    assertThat(GoDuration.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(GoDuration.parse("300ms")).isEqualTo(Duration.ofMillis(300));
    assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("2h45m")).isEqualTo(Duration.ofMinutes(165));
    assertThat(GoDuration.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
    assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.parse("-1s")).isEqualTo(Duration.ofSeconds(-1));
  }

  @Test
  void rejectsNumbersWithoutUnitAndGarbage() {
    assertThatThrownBy(() -> GoDuration.parse("10")).hasMessageStartingWith("invalid duration \"10\"");
    assertThatThrownBy(() -> GoDuration.parse("5 s")).hasMessageStartingWith("invalid duration");
    assertThatThrownBy(() -> GoDuration.parse("s")).hasMessageStartingWith("invalid duration");
    assertThatThrownBy(() -> GoDuration.parse("")).hasMessage("empty duration");
  }
}
