package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.LogLevel;
import tools.jackson.databind.json.JsonMapper;

/** Typed validation, schema-file validation, the logLevel check and the whole pipeline. */
class RemoteConfigValidationTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  record Database(@NotBlank String host, @Min(1) @Max(65535) int port) {
  }

  record Remote(@NotBlank String someString, @NotNull @Valid Database database, LogLevel logLevel) {
  }

  private final TypedConfigValidator<Remote> typed = new TypedConfigValidator<>(Remote.class);

  @Test
  void typedConfigDecodesFieldNamesIgnoringCaseAndIgnoresUnknownFields() {
    assertThat(typed.problems(JSON.readTree("""
        {"SOMESTRING":"x","Database":{"HOST":"db","port":5432},"logLevel":"WARN","extra":{"a":1}}""")))
        .isEmpty();
  }

  @Test
  void typedConfigNamesEveryInvalidFieldAndWhy() {
    assertThat(typed.problems(JSON.readTree("{\"someString\":\"\",\"database\":{\"host\":\" \",\"port\":0}}")))
        .containsExactly("database.host: must not be blank", "database.port: must be greater than or equal to 1",
            "someString: must not be blank");
    assertThat(typed.problems(JSON.readTree("{}")))
        .containsExactly("database: must not be null", "someString: must not be blank");
  }

  @Test
  void typedConfigReportsFieldsThatCannotBeDecoded() {
    assertThat(typed.problems(JSON.readTree("{\"someString\":\"x\",\"database\":{\"host\":\"h\",\"port\":\"abc\"}}")))
        .singleElement().asString().startsWith("database.port: ");
    assertThat(typed.problems(JSON.readTree("{\"someString\":\"x\",\"database\":{\"host\":\"h\",\"port\":1},"
        + "\"logLevel\":\"verbose\"}"))).singleElement().asString().startsWith("logLevel: ");
  }

  @Test
  void logLevelMustBeAnIspKitLevelName() {
    LogLevelCheck check = new LogLevelCheck();
    assertThat(check.problems(JSON.readTree("{\"logLevel\":\"WARN\"}"))).isEmpty();
    assertThat(check.problems(JSON.readTree("{\"logLevel\":\"\"}"))).isEmpty();
    assertThat(check.problems(JSON.readTree("{}"))).isEmpty();
    assertThat(check.problems(JSON.readTree("{\"logLevel\":\"warning\"}")))
        .containsExactly("logLevel: must be one of debug, info, warn, error, fatal, got \"warning\"");
    assertThat(check.problems(JSON.readTree("{\"logLevel\":2}")))
        .containsExactly("logLevel: must be one of debug, info, warn, error, fatal, got 2");
    assertThat(LogLevelCheck.levelOf(JSON.readTree("{\"logLevel\":\" Debug \"}"))).hasValue("debug");
    assertThat(LogLevelCheck.levelOf(JSON.readTree("{}"))).isEmpty();
  }

  @Test
  void schemaFileValidatorNamesTheLocationOfEachProblem() {
    SchemaValidator validator = SchemaValidator.of(JSON.readTree("""
        {"type":"object","required":["port"],"properties":{"port":{"type":"integer","minimum":1}}}"""), "s.json");

    assertThat(validator.problems(JSON.readTree("{\"port\":8080}"))).isEmpty();
    assertThat(validator.problems(JSON.readTree("{\"port\":\"x\"}"))).singleElement().asString()
        .startsWith("/port").contains("integer");
    assertThat(validator.problems(JSON.readTree("{}"))).singleElement().asString().contains("port");
    assertThatThrownBy(() -> SchemaValidator.of(JSON.readTree("[]"), "conf/remote_config_schema.json"))
        .hasMessage("conf/remote_config_schema.json: a JSON schema must be an object, got ARRAY");
  }

  @Test
  void pipelineMergesTheOverrideBeforeCheckingAndRejectsWithEveryReason() {
    RemoteConfigPipeline pipeline = new RemoteConfigPipeline(
        RemoteConfigOverride.parse("{\"database\":{\"port\":5432}}", "test"),
        RemoteConfigValidator.all(new LogLevelCheck(), typed));

    RemoteConfigPipeline.Outcome accepted = pipeline.process(bytes("{\"someString\":\"x\",\"database\":{\"host\":\"h\"}}"));
    assertThat(accepted).isEqualTo(new RemoteConfigPipeline.Accepted(
        JSON.readTree("{\"someString\":\"x\",\"database\":{\"host\":\"h\",\"port\":5432}}")));

    assertThat(pipeline.process(bytes("{\"database\":{\"host\":\"h\"},\"logLevel\":\"loud\"}")))
        .isEqualTo(new RemoteConfigPipeline.Rejected("invalid config: logLevel: must be one of debug, info, warn, "
            + "error, fatal, got \"loud\"; someString: must not be blank"));
    assertThat(pipeline.process(bytes("[1]"))).isEqualTo(new RemoteConfigPipeline.Rejected(
        "expected a JSON object, got array"));
    assertThat(pipeline.process(bytes("{\"a\":"))).isInstanceOf(RemoteConfigPipeline.Rejected.class)
        .extracting(r -> ((RemoteConfigPipeline.Rejected) r).reason()).asString().startsWith("invalid JSON: ");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
