package ru.txix.isp.pywrapper.config;

import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationModule;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationOption;
import java.math.BigDecimal;
import java.util.List;
import ru.txix.isp.pywrapper.ConfigDoc;
import tools.jackson.databind.JsonNode;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON schema of a remote-config type, in the form the config service stores and its editors validate
 * against (gojsonschema, draft-agnostic): no {@code $schema}, every nested type inline (no {@code $ref} or
 * {@code $defs}), root {@code title} "Remote config", property names as Jackson maps them, {@code required}
 * from {@code @NotNull}/{@code @NotBlank}/{@code @NotEmpty}, limits from {@code @Min}/{@code @Max}/
 * {@code @Size}/{@code @Pattern}…, enums, {@link ConfigDoc} titles, descriptions and defaults. A
 * {@code String logLevel} is a string enum of isp-kit's level names.
 */
final class RemoteConfigSchema {
  public static final String ROOT_TITLE = RemoteConfigContract.ROOT_TITLE;

  private RemoteConfigSchema() {
  }

  /** The schema of {@code type}. */
  public static ObjectNode of(Class<?> type) {
    ObjectNode schema = Generator.INSTANCE.generateSchema(type);
    schema.remove("$schema");
    schema.put("title", ROOT_TITLE);
    return schema;
  }

  /** Built on first use only: a module without a remote-config type never loads the generator. */
  private static final class Generator {
    static final SchemaGenerator INSTANCE = generator();
  }

  private static SchemaGenerator generator() {
    SchemaGeneratorConfigBuilder builder = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_7,
        OptionPreset.PLAIN_JSON)
        .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE))
        .with(new JakartaValidationModule(JakartaValidationOption.NOT_NULLABLE_FIELD_IS_REQUIRED,
            JakartaValidationOption.NOT_NULLABLE_METHOD_IS_REQUIRED,
            JakartaValidationOption.INCLUDE_PATTERN_EXPRESSIONS))
        .with(Option.INLINE_ALL_SCHEMAS)
        .without(Option.SCHEMA_VERSION_INDICATOR);
    builder.forFields()
        .withTitleResolver(field -> text(doc(field) == null ? "" : doc(field).title()))
        .withDescriptionResolver(field -> text(doc(field) == null ? "" : doc(field).description()))
        .withDefaultResolver(RemoteConfigSchema::defaultValue)
        .withEnumResolver(field -> isLogLevel(field) ? List.copyOf(LogLevelCheck.NAMES) : null);
    return new SchemaGenerator(builder.build());
  }

  private static boolean isLogLevel(FieldScope field) {
    return field.getType().getErasedType() == String.class
        && LogLevelCheck.KEY.equals(field.getSchemaPropertyName());
  }

  private static ConfigDoc doc(FieldScope field) {
    return field.getAnnotationConsideringFieldAndGetter(ConfigDoc.class);
  }

  private static Object defaultValue(FieldScope field) {
    ConfigDoc doc = doc(field);
    if (doc == null || doc.defaultValue().isEmpty()) {
      return null;
    }
    String text = doc.defaultValue();
    Class<?> type = field.getType().getErasedType();
    if (type == boolean.class || type == Boolean.class) {
      return Boolean.parseBoolean(text);
    }
    if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
      return new BigDecimal(text);
    }
    return text;
  }

  private static String text(String value) {
    return value.isEmpty() ? null : value;
  }

}
