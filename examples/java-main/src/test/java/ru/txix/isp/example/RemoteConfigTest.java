package ru.txix.isp.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.config.RemoteConfigSchema;
import ru.txix.isp.pywrapper.config.TypedConfigValidator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The example's type describes the FastAPI example's configs. */
class RemoteConfigTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final TypedConfigValidator<RemoteConfig> validator = new TypedConfigValidator<>(RemoteConfig.class);

  @Test
  void schemaDocumentsTheFields() {
    JsonNode schema = RemoteConfigSchema.of(RemoteConfig.class);

    assertThat(schema.get("title").asString()).isEqualTo("Remote config");
    assertThat(schema.get("required")).containsExactly(JSON.readTree("\"greeting\""));
    assertThat(schema.get("properties").get("greeting").get("default").asString()).isEqualTo("Hello");
    assertThat(schema.get("properties").get("logLevel").get("enum")).hasSize(5);
    assertThat(schema.get("properties").get("database").get("properties").get("port").get("maximum").asInt())
        .isEqualTo(65535);
  }

  @Test
  void theExamplesConfigsAreValidAndABrokenOneIsNot() throws Exception {
    for (String file : new String[] {"config.json", "default_remote_config.json"}) {
      JsonNode config = JSON.readTree(Files.readString(Path.of("../fastapi-service/conf", file)));
      assertThat(validator.problems(config)).as(file).isEmpty();
    }
    assertThat(validator.problems(JSON.readTree("{\"greeting\":\"\",\"database\":{\"port\":0}}")))
        .containsExactly("database.host: must not be blank", "database.port: must be greater than or equal to 1",
            "greeting: must not be blank");
  }
}
