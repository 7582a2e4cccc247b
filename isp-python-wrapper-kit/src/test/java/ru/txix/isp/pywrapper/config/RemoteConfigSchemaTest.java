package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.ConfigDoc;
import ru.txix.isp.pywrapper.LogLevel;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RemoteConfigSchemaTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  enum Mode { FAST, SAFE }

  record Database(@NotBlank String host, @Min(1) @Max(65535) int port,
                  @ConfigDoc(title = "Password") String password) {
  }

  record Remote(
      @ConfigDoc(title = "Some value", description = "free text") @NotBlank String someString,
      @ConfigDoc(defaultValue = "10") @Min(1) @Max(100) int poolSize,
      @NotNull @Valid Database database,
      @Size(min = 1, max = 3) @NotEmpty List<String> tags,
      @Pattern(regexp = "^[a-z]+$") String slug,
      @JsonProperty("renamed_field") String original,
      Mode mode,
      LogLevel level,
      String logLevel) {
  }

  @Test
  void generatesAnInlineDraftAgnosticSchemaWithTheRootTitle() {
    JsonNode schema = RemoteConfigSchema.of(Remote.class);

    assertThat(schema.has("$schema")).isFalse();
    assertThat(schema.toString()).doesNotContain("$ref").doesNotContain("$defs").doesNotContain("definitions");
    assertThat(schema.get("title").asString()).isEqualTo("Remote config");
    assertThat(schema.get("type").asString()).isEqualTo("object");
  }

  @Test
  void takesNamesRequiredLimitsEnumsTitlesAndDefaultsFromTheType() {
    JsonNode properties = RemoteConfigSchema.of(Remote.class).get("properties");
    JsonNode schema = RemoteConfigSchema.of(Remote.class);

    assertThat(properties.propertyNames()).contains("someString", "poolSize", "database", "tags", "slug",
        "renamed_field", "mode", "level", "logLevel").doesNotContain("original");
    assertThat(schema.get("required")).containsExactlyInAnyOrder(JSON.readTree("[\"someString\",\"database\",\"tags\"]")
        .valueStream().toArray(JsonNode[]::new));
    assertThat(properties.get("someString")).isEqualTo(JSON.readTree(
        "{\"type\":\"string\",\"title\":\"Some value\",\"description\":\"free text\",\"minLength\":1}"));
    assertThat(properties.get("poolSize").get("minimum").asInt()).isEqualTo(1);
    assertThat(properties.get("poolSize").get("maximum").asInt()).isEqualTo(100);
    assertThat(properties.get("poolSize").get("default").asInt()).isEqualTo(10);
    assertThat(properties.get("tags").get("minItems").asInt()).isEqualTo(1);
    assertThat(properties.get("tags").get("maxItems").asInt()).isEqualTo(3);
    assertThat(properties.get("slug").get("pattern").asString()).isEqualTo("^[a-z]+$");
    assertThat(properties.get("mode").get("enum")).isEqualTo(JSON.readTree("[\"FAST\",\"SAFE\"]"));
    assertThat(properties.get("level").get("enum"))
        .isEqualTo(JSON.readTree("[\"debug\",\"info\",\"warn\",\"error\",\"fatal\"]"));
    assertThat(properties.get("logLevel").get("type").asString()).isEqualTo("string");
    assertThat(properties.get("logLevel").get("enum"))
        .isEqualTo(JSON.readTree("[\"debug\",\"info\",\"warn\",\"error\",\"fatal\"]"));
    JsonNode database = properties.get("database");
    assertThat(database.get("type").asString()).isEqualTo("object");
    assertThat(database.get("required")).containsExactly(JSON.readTree("\"host\""));
    assertThat(database.get("properties").get("port").get("maximum").asInt()).isEqualTo(65535);
    assertThat(database.get("properties").get("password").get("title").asString()).isEqualTo("Password");
  }
}
