package ru.txix.isp.pywrapper.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

class JsonValuesTest {
  private static final String EXACT = "{\"pi\":3.14159265358979323846264338327950288,"
      + "\"huge\":123456789012345678901234567890.5,\"big\":123456789012345678901234567890,\"long\":9007199254740993,"
      + "\"zeros\":1.50,\"tiny\":1E-400,\"s\":\"\\u00e9\\n\",\"t\":true,\"n\":null,\"a\":[1,[2,{}],[]],\"o\":{}}";

  @Test
  void readsAndWritesEveryDigitAsItArrived() {
    assertThat(JsonValues.text(JsonValues.read(EXACT))).isEqualTo(EXACT.replace("\\u00e9", "é"));
  }

  @Test
  void readsAsTheMapperDoes() {
    assertThat(JsonValues.read(EXACT)).isEqualTo(JsonValues.mapper().readTree(EXACT));
  }

  @Test
  void emptyInputIsMissingAndTrailingContentIsAnError() {
    assertThat(JsonValues.read("  ").isMissingNode()).isTrue();
    assertThatThrownBy(() -> JsonValues.read("{\"a\":1} x")).isInstanceOf(JacksonException.class);
    assertThatThrownBy(() -> JsonValues.read("{\"a\":1} {}")).isInstanceOf(JacksonException.class);
    assertThatThrownBy(() -> JsonValues.read("{\"a\":")).isInstanceOf(JacksonException.class);
  }

  @Test
  void theLastOfDuplicateKeysWins() {
    assertThat(JsonValues.text(JsonValues.read("{\"a\":1,\"b\":2,\"a\":3}"))).isEqualTo("{\"a\":3,\"b\":2}");
  }

  @Test
  void deepNestingCostsNoStackUpToJacksonsLimit() {
    String deep = "[".repeat(500) + "]".repeat(500);
    assertThat(JsonValues.text(JsonValues.read(deep))).isEqualTo(deep);
    assertThatThrownBy(() -> JsonValues.read("[" + deep + "]")).isInstanceOf(JacksonException.class);
  }

  @Test
  void yamlNumbersAreExactToo() {
    JsonNode yaml = JsonValues.readYaml("pi: 3.14159265358979323846\nport: 9000\nlist: [a, 1.50]\nmap: {x: true}\n");
    assertThat(JsonValues.text(yaml))
        .isEqualTo("{\"pi\":3.14159265358979323846,\"port\":9000,\"list\":[\"a\",1.50],\"map\":{\"x\":true}}");
    assertThat(JsonValues.readYaml("").isMissingNode()).isTrue();
  }

  @Test
  void aNumberJsonCannotHoldIsAnErrorNeverAString() {
    assertThatThrownBy(() -> JsonValues.readYaml("limit: .inf\n")).isInstanceOf(JacksonException.class)
        .hasMessageContaining("not a finite number: .inf");
    assertThatThrownBy(() -> JsonValues.readYaml("limit: .nan\n")).isInstanceOf(JacksonException.class);
  }

  @Test
  void sameValueIgnoresKeyOrderAndNumberForms() {
    assertThat(JsonValues.sameValue(JsonValues.read("{\"a\":1,\"b\":[1.0]}"), JsonValues.read("{\"b\":[1],\"a\":1.00}")))
        .isTrue();
    assertThat(JsonValues.sameValue(JsonValues.read("{\"a\":1}"), JsonValues.read("{\"a\":1.0000000000000001}")))
        .isFalse();
  }
}
