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
  void everyNumberIsWrittenBackToTheCharacter() {
    String numbers = "[-0.0,-0,5e0,1E0,2.5e1,12.5E+1,2.50,1e400,1E-400,0.1,-7,9007199254740993,"
        + "123456789012345678901234567890]";
    assertThat(JsonValues.text(JsonValues.read(numbers))).isEqualTo(numbers);
  }

  @Test
  void numbersKeepTheirValuesForChecks() {
    JsonNode node = JsonValues.read("{\"a\":5e0,\"b\":-0.0,\"c\":2.50}");
    assertThat(node.get("a").decimalValue()).isEqualByComparingTo("5");
    assertThat(node.get("b").decimalValue()).isEqualByComparingTo("0");
    assertThat(node.get("c").decimalValue()).isEqualByComparingTo("2.5");
    assertThat(node.get("a").isNumber()).isTrue();
  }

  @Test
  void aNumberNodeFromTextIsWrittenAsThatText() {
    assertThat(JsonValues.text(JsonValues.number("-0.0"))).isEqualTo("-0.0");
    assertThat(JsonValues.number("12").isInt()).isTrue();
    assertThat(JsonValues.number("123456789012345678901234567890").isBigInteger()).isTrue();
    assertThat(JsonValues.numberText(JsonValues.number("5e0"))).isEqualTo("5e0");
  }

  @Test
  void sameIgnoresKeyOrderButNotHowANumberIsWritten() {
    assertThat(JsonValues.same(JsonValues.read("{\"a\":1,\"b\":[1.0]}"), JsonValues.read("{\"b\":[1.0],\"a\":1}")))
        .isTrue();
    assertThat(JsonValues.same(JsonValues.read("{\"a\":0.0}"), JsonValues.read("{\"a\":-0.0}"))).isFalse();
    assertThat(JsonValues.same(JsonValues.read("{\"a\":1}"), JsonValues.read("{\"a\":1.0}"))).isFalse();
    assertThat(JsonValues.same(JsonValues.read("{\"a\":5}"), JsonValues.read("{\"a\":5e0}"))).isFalse();
    assertThat(JsonValues.same(JsonValues.read("{\"a\":\"1\"}"), JsonValues.read("{\"a\":1}"))).isFalse();
  }
}
