package ru.txix.isp.pywrapper.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Checks remote configs against a JSON schema (draft 7 unless the schema names another), for modules that
 * declare their config as a schema file rather than a Java type. Problems read
 * {@code $.database.port: string found, integer expected}.
 */
public final class SchemaValidator implements RemoteConfigValidator {
  private final Schema schema;

  private SchemaValidator(Schema schema) {
    this.schema = schema;
  }

  /**
   * @param origin how errors name the schema, e.g. {@code conf/remote_config_schema.json}
   * @throws ConfigException if {@code schema} is not a usable JSON schema
   */
  public static SchemaValidator of(JsonNode schema, String origin) {
    if (!schema.isObject()) {
      throw new ConfigException(origin + ": a JSON schema must be an object, got " + schema.getNodeType());
    }
    try {
      Schema compiled = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(schema);
      compiled.initializeValidators();
      return new SchemaValidator(compiled);
    } catch (SchemaException | IllegalArgumentException e) {
      throw new ConfigException(origin + ": not a valid JSON schema: " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> problems(JsonNode config) {
    List<Error> errors = schema.validate(config);
    return errors.stream().map(SchemaValidator::describe).sorted().collect(Collectors.toList());
  }

  private static String describe(Error error) {
    String message = error.getMessage();
    String location = error.getInstanceLocation().toString();
    return message.startsWith(location) ? message : location + ": " + message;
  }
}
