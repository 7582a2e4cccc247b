package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.LogLevel;
import ru.txix.isp.pywrapper.internal.config.ConfigDocument;
import ru.txix.isp.pywrapper.internal.config.Problem;
import ru.txix.isp.pywrapper.internal.config.Verdict;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

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
    assertThat(lines(typed.problems(JSON.readTree("{\"someString\":\"\",\"database\":{\"host\":\" \",\"port\":0}}"))))
        .containsExactly("database.host: must not be blank", "database.port: must be greater than or equal to 1",
            "someString: must not be blank");
    assertThat(lines(typed.problems(JSON.readTree("{}"))))
        .containsExactly("database: must not be null", "someString: must not be blank");
  }

  @Test
  void typedConfigReportsFieldsThatCannotBeDecoded() {
    assertThat(lines(typed.problems(JSON.readTree("{\"someString\":\"x\",\"database\":{\"host\":\"h\",\"port\":\"abc\"}}"))))
        .singleElement().asString().startsWith("database.port: ");
    assertThat(lines(typed.problems(JSON.readTree("{\"someString\":\"x\",\"database\":{\"host\":\"h\",\"port\":1},"
        + "\"logLevel\":\"verbose\"}")))).singleElement().asString().startsWith("logLevel: ");
  }

  @Test
  void logLevelMustBeAnIspKitLevelName() {
    LogLevelCheck check = new LogLevelCheck();
    assertThat(check.problems(JSON.readTree("{\"logLevel\":\"WARN\"}"))).isEmpty();
    assertThat(check.problems(JSON.readTree("{\"logLevel\":\"\"}"))).isEmpty();
    assertThat(check.problems(JSON.readTree("{}"))).isEmpty();
    assertThat(lines(check.problems(JSON.readTree("{\"logLevel\":\"warning\"}"))))
        .containsExactly("logLevel: must be one of debug, info, warn, error, fatal, got \"warning\"");
    assertThat(lines(check.problems(JSON.readTree("{\"logLevel\":2}"))))
        .containsExactly("logLevel: must be one of debug, info, warn, error, fatal, got 2");
    assertThat(LogLevelCheck.levelOf(JSON.readTree("{\"logLevel\":\" Debug \"}"))).hasValue("debug");
    assertThat(LogLevelCheck.levelOf(JSON.readTree("{}"))).isEmpty();
  }

  @Test
  void schemaFileValidatorNamesTheLocationOfEachProblem() {
    SchemaValidator validator = SchemaValidator.of(JSON.readTree("""
        {"type":"object","required":["port"],"properties":{"port":{"type":"integer","minimum":1}}}"""), "s.json");

    assertThat(validator.problems(JSON.readTree("{\"port\":8080}"))).isEmpty();
    assertThat(lines(validator.problems(JSON.readTree("{\"port\":\"x\"}")))).singleElement().asString()
        .startsWith("/port: ").contains("integer");
    assertThat(lines(validator.problems(JSON.readTree("{}")))).singleElement().asString().contains("port");
    assertThatThrownBy(() -> SchemaValidator.of(JSON.readTree("[]"), "conf/remote_config_schema.json"))
        .hasMessage("conf/remote_config_schema.json: a JSON schema must be an object, got ARRAY");
  }

  @Test
  void schemaProblemsAreInEnglishWhateverTheJvmsDefaultLocale() {
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("ru-RU"));
    try {
      SchemaValidator validator = SchemaValidator.of(JSON.readTree("""
          {"type":"object","required":["port"],"properties":{"port":{"type":"integer"}}}"""), "s.json");

      assertThat(lines(validator.problems(JSON.readTree("{\"port\":\"x\"}"))))
          .containsExactly("/port: string found, integer expected");
      assertThat(lines(validator.problems(JSON.readTree("{}"))))
          .containsExactly("required property 'port' not found");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void intakeMergesTheOverrideBeforeCheckingAndRejectsWithEveryReason() {
    List<JsonNode> accepted = new ArrayList<>();
    RemoteConfigStatus status = new RemoteConfigStatus(Clock.systemUTC());
    RemoteConfigIntake intake = new RemoteConfigIntake(
        RemoteConfigOverride.of((ObjectNode) JsonValues.read("{\"database\":{\"port\":5432}}")), typed,
        KeyCaseCheck.NONE, status, (config, level) -> accepted.add(config));

    assertThat(verdict(intake, "{\"someString\":\"x\",\"database\":{\"host\":\"h\"}}")).isEqualTo(Verdict.ACCEPTED);
    assertThat(accepted).containsExactly(
        JSON.readTree("{\"someString\":\"x\",\"database\":{\"host\":\"h\",\"port\":5432}}"));

    assertThat(verdict(intake, "{\"database\":{\"host\":\"h\"},\"logLevel\":\"loud\"}")).isEqualTo(new Verdict.Rejected(
        List.of(new Problem("logLevel", "must be one of debug, info, warn, error, fatal, got \"loud\""),
            new Problem("someString", "must not be blank"))));
    assertThat(status.snapshot().message()).isEqualTo("invalid config: logLevel: must be one of debug, info, "
        + "warn, error, fatal, got \"loud\"; someString: must not be blank");
    assertThat(verdict(intake, "[1]"))
        .isEqualTo(new Verdict.Rejected(List.of(new Problem("", "expected a JSON object, got array"))));
    assertThat(status.snapshot().message()).isEqualTo("expected a JSON object, got array");
    assertThat(verdict(intake, "{\"a\":")).isInstanceOf(Verdict.Rejected.class);
    assertThat(status.snapshot().message()).startsWith("invalid JSON: ");
    assertThat(accepted).hasSize(1);
    assertThat(status.validInEffect()).isTrue();
  }

  @Test
  void theFastApiExamplesConfigsPassItsSchemaFile() throws Exception {
    Path conf = Path.of("../examples/fastapi-service/conf");
    SchemaValidator validator = SchemaValidator.of(JSON.readTree(Files.readString(conf.resolve(
        "remote_config_schema.json"))), "remote_config_schema.json");

    for (String file : new String[] {"config.json", "default_remote_config.json"}) {
      assertThat(validator.problems(JSON.readTree(Files.readString(conf.resolve(file))))).as(file).isEmpty();
    }
    assertThat(lines(validator.problems(JSON.readTree("{\"greeting\":\"\"}")))).singleElement().asString()
        .startsWith("/greeting: ");
  }

  record Greeter(@NotBlank String greeting, @Valid Database database) {
  }

  @Test
  void aKeyThatDiffersFromTheDeclaredFieldOnlyInCaseIsAcceptedWithOneWarningNamingBoth() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RemoteConfigIntake.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      RemoteConfigContract contract = RemoteConfigContract.resolve(new RemoteConfigDeclaration.Typed(Greeter.class),
          Path.of("."), "test");
      List<JsonNode> accepted = new ArrayList<>();
      RemoteConfigIntake intake = new RemoteConfigIntake(RemoteConfigOverride.NONE, contract.validator(),
          contract.keyCase(), new RemoteConfigStatus(Clock.systemUTC()), (config, level) -> accepted.add(config));

      assertThat(verdict(intake, "{\"Greeting\":\"hi\",\"database\":{\"HOST\":\"db\",\"port\":1}}"))
          .isEqualTo(Verdict.ACCEPTED);
      assertThat(verdict(intake, "{\"greeting\":\"hi\"}")).isEqualTo(Verdict.ACCEPTED);

      assertThat(accepted).hasSize(2);
      assertThat(lines.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
          .singleElement().extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).asString()
          .endsWith("\"Greeting\" (declared: greeting), \"database.HOST\" (declared: database.host)");
    } finally {
      logger.detachAppender(lines);
    }
  }

  private static List<String> lines(List<Problem> problems) {
    return problems.stream().map(Problem::toString).toList();
  }

  private static Verdict verdict(RemoteConfigIntake intake, String text) {
    return intake.configReceived("test", ConfigDocument.parse(text));
  }
}
