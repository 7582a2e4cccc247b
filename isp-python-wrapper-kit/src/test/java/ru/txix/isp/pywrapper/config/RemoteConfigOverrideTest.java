package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class RemoteConfigOverrideTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void overrideLeavesReplaceConfigLeavesAndTheRestStays() {
    assertThat(merge("{\"db\":{\"host\":\"a\",\"port\":5432},\"b\":2}", "{\"db\":{\"host\":\"b\"}}"))
        .isEqualTo(json("{\"b\":2,\"db\":{\"host\":\"b\",\"port\":5432}}"));
  }

  @Test
  void nestedOverrideReplacesOnlyThatLeafOnEveryConfig() {
    String override = "{\"a\": {\"a\": 1}}";
    assertThat(merge("{\"a\": {\"a\": 2}, \"b\": 2}", override)).isEqualTo(json("{\"a\":{\"a\":1},\"b\":2}"));
    assertThat(merge("{\"a\": {\"a\": 4}, \"b\": 3}", override)).isEqualTo(json("{\"a\":{\"a\":1},\"b\":3}"));
  }

  @Test
  void dottedKeysAreSingleKeys() {
    assertThat(merge("{\"map.key.1\":\"map.value\",\"map.key.2\":\"map.value\"}",
        "{\"map.key.1\": \"overridden.value\"}"))
        .isEqualTo(json("{\"map.key.1\":\"overridden.value\",\"map.key.2\":\"map.value\"}"));
  }

  @Test
  void arraysMergeByIndexAndNothingIsDeleted() {
    assertThat(merge("{\"l\":[{\"a\":1,\"b\":1},{\"a\":2}],\"k\":1}", "{\"l\":[{\"a\":9}]}"))
        .isEqualTo(json("{\"l\":[{\"a\":9,\"b\":1},{\"a\":2}],\"k\":1}"));
    assertThat(merge("{\"l\":[1]}", "{\"l\":[1,2,3]}")).isEqualTo(json("{\"l\":[1,2,3]}"));
    assertThat(merge("{\"a\":{\"b\":1}}", "{\"a\":{}}")).isEqualTo(json("{\"a\":{\"b\":1}}"));
  }

  @Test
  void newKeysAreAddedAndNumbersKeepTheirPrecision() {
    assertThat(merge("{}", "{\"big\":9007199254740993,\"x\":{\"y\":true}}"))
        .isEqualTo(json("{\"big\":9007199254740993,\"x\":{\"y\":true}}"));
  }

  @Test
  void anEmptyObjectIsNoOverride() {
    assertThat(RemoteConfigOverride.of(JsonValues.object())).isSameAs(RemoteConfigOverride.NONE);
    assertThat(RemoteConfigOverride.NONE.apply(json("{\"a\":1}"))).isEqualTo(json("{\"a\":1}"));
  }

  private static JsonNode merge(String config, String override) {
    JsonNode input = json(config);
    JsonNode result = RemoteConfigOverride.of((ObjectNode) JsonValues.read(override)).apply(input);
    assertThat(input).as("input unchanged").isEqualTo(json(config));
    return result;
  }

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }
}
