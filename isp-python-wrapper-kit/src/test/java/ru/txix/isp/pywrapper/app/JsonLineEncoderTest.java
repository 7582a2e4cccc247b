package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonLineEncoderTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final LoggerContext context = new LoggerContext();
  private final JsonLineEncoder encoder = new JsonLineEncoder();

  JsonLineEncoderTest() {
    context.setMDCAdapter(new LogbackMDCAdapter());
  }

  @Test
  void writesOneJsonObjectPerLineWithTheFieldsAndTypedKeyValuePairs() {
    LoggingEvent event = event("say \"hi\"\n\tand\\bye \u0001\u2028", null);
    event.addKeyValuePair(new KeyValuePair("pid", 12574L));
    event.addKeyValuePair(new KeyValuePair("ready", true));
    event.addKeyValuePair(new KeyValuePair("ratio", new BigDecimal("3.14159265358979323846")));
    event.addKeyValuePair(new KeyValuePair("state", "RUNNING"));
    event.addKeyValuePair(new KeyValuePair("gone", null));
    event.addKeyValuePair(new KeyValuePair("config", JsonValues.read("{\"a\":1.50}")));

    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
    JsonNode json = JSON.readTree(line);
    assertThat(json.propertyNames()).containsExactly("time", "message", "logger", "thread", "level", "pid",
        "ready", "ratio", "state", "gone", "config");
    assertThat(json.get("message").asString()).isEqualTo("say \"hi\"\n\tand\\bye \u0001\u2028");
    assertThat(Instant.parse(json.get("time").asString())).isEqualTo(event.getInstant());
    assertThat(json.get("logger").asString()).isEqualTo("test.Logger");
    assertThat(json.get("thread").asString()).isEqualTo("main");
    assertThat(json.get("level").asString()).isEqualTo("INFO");
    assertThat(json.get("pid").isNumber()).isTrue();
    assertThat(json.get("ready").isBoolean()).isTrue();
    assertThat(line).contains("\"ratio\":3.14159265358979323846");
    assertThat(json.get("gone").isNull()).isTrue();
    assertThat(json.get("config").asString()).isEqualTo("{\"a\":1.50}");
  }

  @Test
  void addsTheStackTraceOfAThrowable() {
    String line = new String(encoder.encode(event("failed", new IllegalStateException("boom"))),
        StandardCharsets.UTF_8);

    assertThat(JSON.readTree(line).get("stackTrace").asString())
        .startsWith("java.lang.IllegalStateException: boom").contains("\tat ");
  }

  @Test
  void timesAreUtcWithNanosecondsAndMatchTheJdksFormatting() {
    Random random = new Random(42);
    List<Instant> instants = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2000-02-29T23:59:59Z"),
        Instant.parse("2100-03-01T00:00:00.000000001Z"), Instant.parse("1969-12-31T23:59:59.999999999Z"),
        Instant.parse("2026-11-28T11:00:02.366234503Z")));
    for (int i = 0; i < 2000; i++) {
      instants.add(Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE) * 2L, random.nextInt(1_000_000_000)));
    }
    for (Instant instant : instants) {
      StringBuilder out = new StringBuilder();
      UtcTimestamp.append(out, instant.getEpochSecond(), instant.getNano());
      assertThat(Instant.parse(out)).as(out.toString()).isEqualTo(instant);
      assertThat(out).hasSize("2026-11-28T11:00:02.366234503Z".length());
    }
  }

  private LoggingEvent event(String message, Throwable error) {
    LoggingEvent event = new LoggingEvent("test", context.getLogger("test.Logger"), Level.INFO, message, error,
        null);
    event.setThreadName("main");
    return event;
  }
}
