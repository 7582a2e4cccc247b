package ru.txix.isp.pywrapper.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.serialization.JsonMapperFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import ru.txix.isp.pywrapper.internal.OneLine;
import ru.txix.isp.pywrapper.internal.config.Problem;
import tools.jackson.databind.JsonNode;

/**
 * Checks remote configs against a JSON schema file, for modules that declare their config as a schema rather
 * than a Java type. Problems read {@code /database/port: string found, integer expected}.
 *
 * <p>The schema itself is first checked against the meta-schema of its draft — the drafts isp-config-service
 * compiles (gojsonschema): 04, 06 and 07, named by {@code $schema}; draft 07 when it names none — so that a
 * wrong keyword value ({@code "type": "integr"}) stops the start instead of making the service refuse every
 * config later.
 */
public final class SchemaValidator implements RemoteConfigValidator {
  private static final Map<String, SpecificationVersion> DRAFTS = Map.of(
      "draft-04", SpecificationVersion.DRAFT_4, "draft-06", SpecificationVersion.DRAFT_6,
      "draft-07", SpecificationVersion.DRAFT_7);

  /**
   * The language of problems, whatever the JVM's default locale: they go into the host's English logs and
   * errors (and the launcher carries the library's English messages only).
   */
  private static final Locale MESSAGES = Locale.ENGLISH;

  private final Schema schema;

  private SchemaValidator(Schema schema) {
    this.schema = schema;
  }

  /**
   * Builds the schema library's JSON mapper (a few hundred classes of Jackson's data binding): for a thread of
   * its own at start-up, ahead of {@link #of}. Logs nothing, so it may run while logging initializes.
   */
  public static void preload() {
    JsonMapperFactory.getInstance();
  }

  /**
   * @param origin how errors name the schema, e.g. {@code conf/remote_config_schema.json}
   * @throws ConfigException with one problem per line, naming {@code origin}, the JSON pointer and the problem
   */
  public static SchemaValidator of(JsonNode schema, String origin) {
    if (!schema.isObject()) {
      throw new ConfigException(origin + ": a JSON schema must be an object, got " + schema.getNodeType());
    }
    SpecificationVersion draft = draftOf(schema, origin);
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(draft, builder -> builder.schemaRegistryConfig(
        SchemaRegistryConfig.builder().locale(MESSAGES).build()));
    Map<String, List<String>> byPointer = new TreeMap<>();
    for (Error error : registry.getSchema(SchemaLocation.of(draft.getDialectId())).validate(schema)) {
      Problem problem = describe(error);
      List<String> messages = byPointer.computeIfAbsent(problem.field().isEmpty() ? "/" : problem.field(),
          pointer -> new ArrayList<>());
      if (!messages.contains(problem.message())) {
        messages.add(problem.message());
      }
    }
    if (!byPointer.isEmpty()) {
      throw new ConfigException(byPointer.entrySet().stream().map(e -> origin + ": " + e.getKey() + ": "
          + String.join("; or ", e.getValue()) + " (JSON Schema " + draftName(draft) + " meta-schema)").toList());
    }
    try {
      Schema compiled = registry.getSchema(schema);
      compiled.initializeValidators();
      return new SchemaValidator(compiled);
    } catch (SchemaException | IllegalArgumentException e) {
      throw new ConfigException(origin + ": not a valid JSON schema: " + OneLine.of(e.getMessage()), e);
    }
  }

  @Override
  public List<Problem> problems(JsonNode config) {
    List<Error> errors = schema.validate(config);
    return errors.stream().map(SchemaValidator::describe)
        .sorted(Comparator.comparing(Problem::field).thenComparing(Problem::message)).collect(Collectors.toList());
  }

  private static SpecificationVersion draftOf(JsonNode schema, String origin) {
    JsonNode declared = schema.get("$schema");
    if (declared == null || declared.isNull()) {
      return SpecificationVersion.DRAFT_7;
    }
    String uri = declared.isString() ? declared.asString() : "";
    for (Map.Entry<String, SpecificationVersion> draft : DRAFTS.entrySet()) {
      if (uri.contains("json-schema.org/" + draft.getKey() + "/schema")) {
        return draft.getValue();
      }
    }
    throw new ConfigException(origin + ": /$schema: " + declared + " is not a draft isp-config-service compiles "
        + "(use draft-04, draft-06 or draft-07, or leave $schema out)");
  }

  private static String draftName(SpecificationVersion draft) {
    return DRAFTS.entrySet().stream().filter(e -> e.getValue() == draft).map(Map.Entry::getKey).findFirst()
        .orElse(draft.name());
  }

  private static Problem describe(Error error) {
    String message = error.getMessage();
    String location = error.getInstanceLocation().toString();
    if (message.startsWith(location + ": ")) {
      message = message.substring(location.length() + 2);
    }
    return new Problem(location, message);
  }
}
