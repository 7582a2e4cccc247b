package ru.txix.isp.pywrapper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.internal.json.JsonValues;

class ModuleFileTest {
  @TempDir
  Path dir;

  @Test
  void readsTheDeclarationWithNumbersAsWritten() throws Exception {
    write("""
        version: 1.10
        requiredModules: [isp-auth-service, isp-auth-service]
        endpoints:
          - path: /api/m/do
            httpMethod: post
            extra: { b: 2.50, a: 5e0, z: -0.0, none: ~, list: [1E0, text] }
        """);

    ModuleSpec spec = ModuleSpec.fromFiles(dir).build();

    assertThat(spec.problems()).isEmpty();
    assertThat(spec.version()).isEqualTo("1.10");
    assertThat(spec.requiredModules()).containsExactly("isp-auth-service");
    Endpoint endpoint = spec.endpoints().get(0);
    assertThat(endpoint.httpMethod()).isEqualTo("POST");
    assertThat(endpoint.extra()).containsOnlyKeys("b", "a", "z", "none", "list");
    assertThat(JsonValues.mapper().writeValueAsString(endpoint.extra()))
        .as("key order and each number's text kept").isEqualTo("{\"b\":2.50,\"a\":5e0,\"z\":-0.0,\"none\":null,"
            + "\"list\":[1E0,\"text\"]}");
    assertThat(spec.remoteConfigSchema()).isEmpty();
  }

  @Test
  void everyProblemIsCollectedNotThrownWithTheNearestKnownKey() throws Exception {
    write("""
        versoin: 1.0.0
        endpoints:
          - path: /api/m/do
            httpMetod: GET
          - path: /api/m/other
            httpMethod: GET
            inner: maybe
        """);
    Files.writeString(dir.resolve("conf/remote_config_schema.json"), "{}");

    ModuleSpec spec = ModuleSpec.fromFiles(dir).build();

    assertThat(spec.problems()).containsExactly(
        "conf/module.yml: versoin: unknown key (did you mean version?)",
        "conf/module.yml: endpoints[0].httpMetod: unknown key (did you mean httpMethod?)",
        "conf/module.yml: endpoint /api/m/do: httpMethod is required (the module's transport is http)",
        "conf/module.yml: endpoints[1].inner: expected true or false, got \"maybe\"");
    assertThat(spec.version()).isEqualTo("0.0.0");
    assertThat(spec.remoteConfigSchema()).hasValue(dir.resolve("conf/remote_config_schema.json").toAbsolutePath());
  }

  @Test
  void invalidYamlIsOneProblemAndAMissingFileNone() throws Exception {
    assertThat(ModuleSpec.fromFiles(dir).build().problems()).isEmpty();

    write("endpoints:\n\t- path: /x\n");

    assertThat(ModuleSpec.fromFiles(dir).build().problems()).isEqualTo(List.of("conf/module.yml: invalid YAML at "
        + "line 2, column 1: tab characters are not allowed for indentation (indent with spaces)"));
  }

  private void write(String yaml) throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/module.yml"), yaml);
  }
}
