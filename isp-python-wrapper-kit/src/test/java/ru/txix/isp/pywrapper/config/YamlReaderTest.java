package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.internal.json.JsonValues;

class YamlReaderTest {

  @Test
  void aTabInTheIndentationIsNamedWithItsOwnPosition() {
    assertThat(error("moduleName: m\ngrpcInnerAddress:\n  ip: x\n\tport: 9\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 4, column 1: tab characters are not allowed for indentation "
            + "(indent with spaces)");
  }

  @Test
  void anUnclosedBracketIsNamedWhereItOpens() {
    assertThat(error("moduleName: m\npython:\n  uvArgs: [--frozen\n  restartDelay: 2s\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 3, column 11: unclosed `[` (expected `,` or `]` at line 4, "
            + "column 15)");
    assertThat(error("a: {b: 1\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 1, column 4: unclosed `{` (expected `,` or `}` at line 2, column 1)");
    assertThat(error("a: [x, {y: 1]\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 1, column 13: expected `,` or `}` in the `{` opened at line 1, "
            + "column 8");
  }

  @Test
  void anUnclosedQuoteIsNamedWhereItOpens() {
    assertThat(error("moduleName: \"m\nx: 1\n"))
        .containsExactly("conf/config.yml: invalid YAML at line 1, column 13: unclosed quote");
    assertThat(error("a: 1\nmoduleName: 'm\n"))
        .containsExactly("conf/config.yml: invalid YAML at line 2, column 13: unclosed quote");
    assertThat(error("moduleName: \"m\nother: 1\ngrpcInnerAddress:\n  ip: \"127.0.0.1\"\n"))
        .as("the parser reads on to the next quote and fails after it: the open one is named")
        .containsExactly("conf/config.yml: invalid YAML at line 1, column 13: unclosed quote");
    assertThat(JsonValues.text(YamlReader.read("a: \"one\n  two\"\nb: 'it''s' # \"x\n", "f.yml")))
        .as("a quoted value may span lines when nothing fails").isEqualTo("{\"a\":\"one two\",\"b\":\"it's\"}");
  }

  @Test
  void otherMistakesAreSaidInWordsWithTheirPlace() {
    assertThat(error("a: 1\nb\nc: 2\n")).containsExactly("conf/config.yml: invalid YAML at line 2, column 1: "
        + "expected `key: value` (a `:` is missing) or a list item (`- `)");
    assertThat(error("key: value\n  bad: indent\n")).containsExactly("conf/config.yml: invalid YAML at line 2, "
        + "column 6: unexpected `:` (a line indented too far? a value holding `: ` must be quoted)");
    assertThat(error("a: [1, 2]]\n"))
        .containsExactly("conf/config.yml: invalid YAML at line 1, column 10: unexpected `]` (check the indentation)");
    assertThat(error("a:\n  - b\n - c\n"))
        .containsExactly("conf/config.yml: invalid YAML at line 3, column 2: unexpected list item (check the "
            + "indentation)");
    assertThat(error("a: @x\n"))
        .containsExactly("conf/config.yml: invalid YAML at line 1, column 4: `@` cannot start a value (quote the value)");
    assertThat(error("a: *x\n")).containsExactly("conf/config.yml: invalid YAML at line 1, column 4: undefined alias *x");
    assertThat(error("a: 1\n---\nb: 2\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 2, column 1: a second document (`---`): the file holds one");
  }

  @Test
  void aDuplicatedKeyIsAnErrorNamingBothLines() {
    assertThat(error("moduleName: a\ngrpcInnerAddress:\n  ip: x\n  ip: y\nmoduleName: b\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 4, column 3: duplicate key ip (first at line 3, column 3)",
        "conf/config.yml: invalid YAML at line 5, column 1: duplicate key moduleName (first at line 1, column 1)");
  }

  @Test
  void scalarsFollowTheCoreSchemaAndNumbersKeepTheirJsonText() {
    String yaml = "a: -0.0\nb: 5e0\nc: 2.50\nd: 0x1F\ne: +1\nf: .5\ng: 0o17\nh: 123456789012345678901234567890\n"
        + "i: yes\nj: true\nk: ~\nl:\nm: '1'\nn: 1.10\no: [1E0, 2.5e1]\np: 1.\nq: -.5e1\n";
    assertThat(JsonValues.text(YamlReader.read(yaml, "f.yml"))).isEqualTo("{\"a\":-0.0,\"b\":5e0,\"c\":2.50,"
        + "\"d\":31,\"e\":1,\"f\":0.5,\"g\":15,\"h\":123456789012345678901234567890,\"i\":\"yes\",\"j\":true,"
        + "\"k\":null,\"l\":null,\"m\":\"1\",\"n\":1.10,\"o\":[1E0,2.5e1],\"p\":1,\"q\":-5}");
  }

  @Test
  void aNumberJsonCannotHoldIsAnErrorNeverAString() {
    assertThat(error("limit: .inf\nother: .nan\n")).containsExactly(
        "conf/config.yml: invalid YAML at line 1, column 8: not a finite number: .inf (JSON has none; quote it for "
            + "text)",
        "conf/config.yml: invalid YAML at line 2, column 8: not a finite number: .nan (JSON has none; quote it for "
            + "text)");
  }

  @Test
  void anchorsAreResolvedAndAnEmptyDocumentIsMissing() {
    assertThat(JsonValues.text(YamlReader.read("base: &b {x: 1}\ncopy: *b\n", "f.yml")))
        .isEqualTo("{\"base\":{\"x\":1},\"copy\":{\"x\":1}}");
    assertThat(YamlReader.read("# nothing\n", "f.yml").isMissingNode()).isTrue();
  }

  private static List<String> error(String yaml) {
    try {
      YamlReader.read(yaml, "conf/config.yml");
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("no error for " + yaml);
  }

  @Test
  void anErrorThrowsAConfigException() {
    assertThatThrownBy(() -> YamlReader.read("a: [", "x.yml")).isInstanceOf(ConfigException.class);
  }
}
