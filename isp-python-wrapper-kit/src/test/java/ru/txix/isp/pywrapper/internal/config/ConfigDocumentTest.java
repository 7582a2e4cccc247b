package ru.txix.isp.pywrapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.internal.json.JsonValues;

class ConfigDocumentTest {

  @Test
  void aJsonObjectIsParsedOnceWithItsNumbersAsWritten() {
    ConfigDocument text = ConfigDocument.parse("{\"pi\": 3.140, \"n\": -0.0, \"big\": 1e400}");
    ConfigDocument bytes = ConfigDocument.parse("{\"pi\":3.140}".getBytes(StandardCharsets.UTF_8));

    assertThat(text).isInstanceOf(ConfigDocument.Json.class);
    assertThat(JsonValues.text(((ConfigDocument.Json) text).config()))
        .isEqualTo("{\"pi\":3.140,\"n\":-0.0,\"big\":1e400}");
    assertThat(JsonValues.text(((ConfigDocument.Json) bytes).config())).isEqualTo("{\"pi\":3.140}");
  }

  @Test
  void whatIsNoJsonObjectSaysWhy() {
    assertThat(ConfigDocument.parse("[1]"))
        .isEqualTo(new ConfigDocument.Unparsable("expected a JSON object, got array"));
    assertThat(ConfigDocument.parse("  "))
        .isEqualTo(new ConfigDocument.Unparsable("empty document: expected a JSON object"));
    assertThat(ConfigDocument.parse("{\"a\":\n  oops}")).isInstanceOfSatisfying(ConfigDocument.Unparsable.class,
        u -> assertThat(u.reason()).startsWith("invalid JSON: ").endsWith(" at line 2, column 3"));
    assertThat(ConfigDocument.parse("{} {}")).isInstanceOf(ConfigDocument.Unparsable.class);
  }

  @Test
  void aDocumentNeverPrintsItsValues() {
    assertThat(ConfigDocument.parse("{\"password\":\"S3CR3T\",\"a\":1}").toString()).isEqualTo("Json[2 keys]");
  }

  @Test
  void aRejectionHasAtLeastOneProblemAndReadsAsOneLine() {
    Verdict.Rejected rejected = new Verdict.Rejected(List.of(new Problem("port", "must be at least 1"),
        new Problem("", "expected a JSON object")));

    assertThat(rejected.reason()).isEqualTo("port: must be at least 1; expected a JSON object");
    assertThatThrownBy(() -> new Verdict.Rejected(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
