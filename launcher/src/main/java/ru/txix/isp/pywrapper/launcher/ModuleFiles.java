package ru.txix.isp.pywrapper.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.app.AppSpec;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.config.JsonFiles;
import ru.txix.isp.pywrapper.config.LocalConfigLoader;
import ru.txix.isp.pywrapper.config.RemoteConfigSchema;
import ru.txix.isp.pywrapper.config.RemoteConfigValidator;
import ru.txix.isp.pywrapper.config.SchemaValidator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The module as declared in {@code conf/} for the launcher:
 *
 * <ul>
 *   <li>{@code conf/module.yml} (optional): {@code version}, {@code requiredModules}, {@code endpoints} (each
 *       {@code path}, {@code httpMethod}, and optionally {@code inner}, {@code userAuthRequired},
 *       {@code extra});
 *   <li>{@code conf/remote_config_schema.json} (optional): the JSON schema of the remote config; configs are
 *       checked against it. Without it, any JSON object is accepted.
 * </ul>
 */
final class ModuleFiles {
  static final String MODULE_FILE = "conf/module.yml";
  static final String SCHEMA_FILE = "conf/remote_config_schema.json";
  static final String DEFAULT_VERSION = "0.0.0";

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> MODULE_KEYS = Set.of("version", "requiredModules", "endpoints");
  private static final Set<String> ENDPOINT_KEYS = Set.of("path", "httpMethod", "inner", "userAuthRequired", "extra");

  private ModuleFiles() {
  }

  /** Reads both files under {@code root}; throws {@link ConfigException} naming the file and the problem. */
  static AppSpec load(Path root, Map<String, String> environment) {
    JsonNode module = readModule(root.resolve(MODULE_FILE));
    String version = text(module, "version", MODULE_FILE).orElse(DEFAULT_VERSION);
    List<String> required = requiredModules(module);
    List<Endpoint> endpoints = endpoints(module);

    String schema;
    RemoteConfigValidator validator;
    JsonNode schemaNode = readSchema(root.resolve(SCHEMA_FILE));
    if (schemaNode == null) {
      schema = JSON.writeValueAsString(RemoteConfigSchema.anyObject(JSON));
      validator = RemoteConfigValidator.NONE;
    } else {
      validator = SchemaValidator.of(schemaNode, SCHEMA_FILE);
      schema = JSON.writeValueAsString(schemaNode);
    }
    return new AppSpec(version, schema, validator, endpoints, required, environment, root,
        LocalConfigLoader.DEFAULT_PYTHON);
  }

  private static JsonNode readModule(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return JSON.createObjectNode();
    } catch (IOException e) {
      throw new ConfigException(MODULE_FILE + ": cannot read the file: " + e, e);
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException(MODULE_FILE + ": invalid YAML"
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return JSON.createObjectNode();
    }
    if (!root.isObject()) {
      throw new ConfigException(MODULE_FILE + ": expected a mapping with version, requiredModules, endpoints");
    }
    for (String key : root.propertyNames()) {
      if (!MODULE_KEYS.contains(key)) {
        throw new ConfigException(MODULE_FILE + ": unknown key " + key + " (known: version, requiredModules, endpoints)");
      }
    }
    return root;
  }

  private static List<String> requiredModules(JsonNode module) {
    JsonNode list = module.get("requiredModules");
    List<String> required = new ArrayList<>();
    if (list == null || list.isNull()) {
      return required;
    }
    if (!list.isArray()) {
      throw new ConfigException(MODULE_FILE + ": requiredModules: expected a list of module names");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode name = list.get(i);
      if (!name.isString() || name.asString().isBlank()) {
        throw new ConfigException(MODULE_FILE + ": requiredModules[" + i + "]: expected a module name, got " + name);
      }
      if (!required.contains(name.asString().strip())) {
        required.add(name.asString().strip());
      }
    }
    return required;
  }

  private static List<Endpoint> endpoints(JsonNode module) {
    JsonNode list = module.get("endpoints");
    List<Endpoint> endpoints = new ArrayList<>();
    if (list == null || list.isNull()) {
      return endpoints;
    }
    if (!list.isArray()) {
      throw new ConfigException(MODULE_FILE + ": endpoints: expected a list");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String where = "endpoints[" + i + "]";
      if (!item.isObject()) {
        throw new ConfigException(MODULE_FILE + ": " + where + ": expected a mapping with path and httpMethod");
      }
      for (String key : item.propertyNames()) {
        if (!ENDPOINT_KEYS.contains(key)) {
          throw new ConfigException(MODULE_FILE + ": " + where + ": unknown key " + key
              + " (known: path, httpMethod, inner, userAuthRequired, extra)");
        }
      }
      String path = text(item, "path", MODULE_FILE + ": " + where).orElseThrow(
          () -> new ConfigException(MODULE_FILE + ": " + where + ".path: required"));
      String method = text(item, "httpMethod", MODULE_FILE + ": " + where).orElseThrow(
          () -> new ConfigException(MODULE_FILE + ": endpoint " + path + ": httpMethod is required (the module's "
              + "transport is http)"));
      JsonNode extra = item.get("extra");
      if (extra != null && !extra.isNull() && !extra.isObject()) {
        throw new ConfigException(MODULE_FILE + ": " + where + ".extra: expected a mapping");
      }
      endpoints.add(new Endpoint(path, bool(item, "inner", where), bool(item, "userAuthRequired", where),
          method.toUpperCase(Locale.ROOT),
          extra == null || extra.isNull() ? null : JSON.convertValue(extra, Map.class)));
    }
    return endpoints;
  }

  private static JsonNode readSchema(Path file) {
    return JsonFiles.readObject(file, SCHEMA_FILE, "a JSON schema must be a JSON object").orElse(null);
  }

  private static java.util.Optional<String> text(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return java.util.Optional.empty();
    }
    if (!value.isValueNode() || value.asString().isBlank()) {
      throw new ConfigException(where + ": " + key + ": expected text, got " + value);
    }
    return java.util.Optional.of(value.asString().strip());
  }

  private static boolean bool(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new ConfigException(MODULE_FILE + ": " + where + "." + key + ": expected true or false, got " + value);
    }
    return value.asBoolean();
  }
}
