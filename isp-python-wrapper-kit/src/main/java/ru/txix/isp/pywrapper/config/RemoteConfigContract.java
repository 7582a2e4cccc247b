package ru.txix.isp.pywrapper.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A module's remote config as the host works with it: the JSON schema sent to the config service, the
 * validator every config passes, and the declared fields for the key-case warning — resolved from a
 * {@link RemoteConfigDeclaration}.
 *
 * <p>A schema file is read once and checked against its draft's meta-schema when resolved (a start-up error names
 * the file, the JSON pointer and the problem); its numbers are sent as written. A type's schema is generated on
 * first use.
 */
public final class RemoteConfigContract {
  /** The title of every schema the host sends (isp-kit's). */
  public static final String ROOT_TITLE = "Remote config";
  private final Supplier<JsonNode> schemaSource;
  private final RemoteConfigValidator validator;
  private final KeyCaseCheck keyCase;
  private JsonNode schema;

  private RemoteConfigContract(Supplier<JsonNode> schemaSource, RemoteConfigValidator validator,
                               KeyCaseCheck keyCase) {
    this.schemaSource = schemaSource;
    this.validator = validator;
    this.keyCase = keyCase;
  }

  /**
   * Resolves {@code declaration}; a schema file is read from {@code root}.
   *
   * @param displayName how errors name a schema file (e.g. {@code conf/remote_config_schema.json})
   * @throws ConfigException naming the schema file and every problem with it
   */
  public static RemoteConfigContract resolve(RemoteConfigDeclaration declaration, Path root, String displayName) {
    requireNonNull(declaration, "declaration");
    if (declaration instanceof RemoteConfigDeclaration.Typed typed) {
      Class<?> type = typed.type();
      return new RemoteConfigContract(() -> RemoteConfigSchema.of(type),
          new TypedConfigValidator<>(type), new KeyCaseCheck(() -> RemoteConfigSchema.of(type)));
    }
    if (declaration instanceof RemoteConfigDeclaration.SchemaFile file) {
      Path path = root.resolve(file.file());
      JsonNode schema = JsonFiles.readObject(path, displayName, "a JSON schema must be a JSON object")
          .orElseThrow(() -> new ConfigException(displayName + ": file not found (" + path + ")"));
      SchemaValidator validator = SchemaValidator.of(schema, displayName);
      return new RemoteConfigContract(() -> schema, validator, new KeyCaseCheck(() -> schema));
    }
    ObjectNode anyObject = JsonValues.object().put("type", "object").put("title", ROOT_TITLE);
    return new RemoteConfigContract(() -> anyObject, RemoteConfigValidator.NONE, KeyCaseCheck.NONE);
  }

  /** The JSON schema sent to the config service; not to be changed. */
  public synchronized JsonNode schema() {
    if (schema == null) {
      schema = schemaSource.get();
    }
    return schema;
  }

  public RemoteConfigValidator validator() {
    return validator;
  }

  public KeyCaseCheck keyCase() {
    return keyCase;
  }
}
