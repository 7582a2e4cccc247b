package ru.txix.isp.pywrapper.faults;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

final class JsonNodes {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private JsonNodes() {
  }

  static JsonNode readTree(String text) {
    return JSON.readTree(text);
  }
}
