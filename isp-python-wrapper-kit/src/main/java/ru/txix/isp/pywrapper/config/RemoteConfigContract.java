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
 * <p>A schema file is read and checked against its draft's meta-schema when resolved (a start-up error names
 * the file, the JSON pointer and the problem) and sent as written. A type's schema is generated on first use.
 */
public final class RemoteConfigContract {
  /** The title of every schema the host sends (isp-kit's). */
  public static final String ROOT_TITLE = "Remote config";
  private final Supplier<String> schemaText;
  private final RemoteConfigValidator validator;
  private final KeyCaseCheck keyCase;
  private String schema;

  private RemoteConfigContract(Supplier<String> schemaText, RemoteConfigValidator validator, KeyCaseCheck keyCase) {
    this.schemaText = schemaText;
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
      return new RemoteConfigContract(() -> JsonValues.text(RemoteConfigSchema.of(type)),
          new TypedConfigValidator<>(type), new KeyCaseCheck(() -> RemoteConfigSchema.of(type)));
    }
    if (declaration instanceof RemoteConfigDeclaration.SchemaFile file) {
      Path path = root.resolve(file.file());
      JsonFiles.Text text = JsonFiles.readObjectText(path, displayName, "a JSON schema must be a JSON object")
          .orElseThrow(() -> new ConfigException(displayName + ": file not found (" + path + ")"));
      SchemaValidator validator = SchemaValidator.of(text.node(), displayName);
      return new RemoteConfigContract(text::text, validator, new KeyCaseCheck(text::node));
    }
    ObjectNode anyObject = JsonValues.object().put("type", "object").put("title", ROOT_TITLE);
    String any = JsonValues.text(anyObject);
    return new RemoteConfigContract(() -> any, RemoteConfigValidator.NONE, KeyCaseCheck.NONE);
  }

  /** The JSON schema sent to the config service (JSON text). */
  public synchronized String schema() {
    if (schema == null) {
      schema = schemaText.get();
    }
    return schema;
  }

  public RemoteConfigValidator validator() {
    return validator;
  }

  public KeyCaseCheck keyCase() {
    return keyCase;
  }

  /** For tests: parses the schema sent. */
  JsonNode schemaNode() {
    return JsonValues.read(schema());
  }
}
