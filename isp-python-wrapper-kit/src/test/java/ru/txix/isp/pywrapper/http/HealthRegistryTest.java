package ru.txix.isp.pywrapper.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class HealthRegistryTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final MutableClock clock = new MutableClock(Instant.parse("2025-05-01T10:00:00.123Z"));

  @Test
  void resultHasIspKitsShapeAndOmitsOutputWhenPassing() {
    HealthRegistry registry = new HealthRegistry(clock)
        .register("configServiceConnection", () -> Optional.of("session inactive"))
        .register("remoteConfig", Optional::empty);

    HealthRegistry.Result result = registry.result();

    assertThat(result.healthy()).isFalse();
    assertThat(JSON.readTree(result.body())).isEqualTo(JSON.readTree("""
        {"status":"fail","details":{
          "configServiceConnection":[{"componentName":"configServiceConnection","componentType":"component",
                                      "status":"fail","output":"session inactive","time":"2025-05-01T10:00:00.123Z"}],
          "remoteConfig":[{"componentName":"remoteConfig","componentType":"component","status":"pass",
                           "time":"2025-05-01T10:00:00.123Z"}]}}"""));
    assertThat(result.body()).endsWith("}\n");
  }

  @Test
  void noComponentsIsAPass() {
    assertThat(new HealthRegistry(clock).result().body()).isEqualTo("{\"status\":\"pass\",\"details\":{}}\n");
  }

  @Test
  void resultIsReusedForOneSecond() {
    AtomicInteger calls = new AtomicInteger();
    HealthRegistry registry = new HealthRegistry(clock).register("c", () -> {
      calls.incrementAndGet();
      return Optional.empty();
    });

    registry.result();
    clock.advance(Duration.ofMillis(999));
    registry.result();
    assertThat(calls).hasValue(1);
    clock.advance(Duration.ofMillis(1));
    registry.result();

    assertThat(calls).hasValue(2);
  }

  @Test
  void aThrowingCheckFailsItsComponent() {
    HealthRegistry registry = new HealthRegistry(clock).register("c", () -> {
      throw new IllegalStateException("boom");
    });

    assertThat(registry.result().body()).contains("\"output\":\"check failed: java.lang.IllegalStateException: boom\"");
  }

  @Test
  void timesAreWrittenAsIspKitDoesWithoutTrailingZeros() {
    assertThat(HealthRegistry.goTime(Instant.parse("2025-05-01T10:00:00.120Z"))).isEqualTo("2025-05-01T10:00:00.12Z");
    assertThat(HealthRegistry.goTime(Instant.parse("2025-05-01T10:00:00Z"))).isEqualTo("2025-05-01T10:00:00Z");
    assertThat(HealthRegistry.goTime(Instant.parse("2025-05-01T10:00:00.007Z"))).isEqualTo("2025-05-01T10:00:00.007Z");
  }

  /** A clock moved by hand (and read by other threads: the infra server's). */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
