package ru.txix.isp.pywrapper.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.ModuleSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
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
 *
 * <p>Every problem of {@code conf/module.yml} is reported, one line each; the schema file is read and checked
 * by the library at start.
 */
final class ModuleFiles {
  static final String MODULE_FILE = "conf/module.yml";
  static final String SCHEMA_FILE = "conf/remote_config_schema.json";
  static final String DEFAULT_VERSION = "0.0.0";

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Set<String> MODULE_KEYS = Set.of("version", "requiredModules", "endpoints");
  private static final Set<String> ENDPOINT_KEYS = Set.of("path", "httpMethod", "inner", "userAuthRequired", "extra");

  /** {@code conf/module.yml} cannot be used; each problem is one line naming the file. */
  static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    Invalid(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    List<String> problems() {
      return problems;
    }
  }

  private final List<String> problems = new ArrayList<>();

  private ModuleFiles() {
  }

  /** Reads {@code conf/module.yml} under {@code root}; the schema file is named when it exists. */
  static ModuleSpec load(Path root) {
    ModuleFiles files = new ModuleFiles();
    JsonNode module = files.readModule(root.resolve(MODULE_FILE));
    String version = files.text(module, "version", "version").orElse(DEFAULT_VERSION);
    List<String> required = files.requiredModules(module);
    List<Endpoint> endpoints = files.endpoints(module);
    if (!files.problems.isEmpty()) {
      throw new Invalid(files.problems);
    }
    ModuleSpec.Builder spec = ModuleSpec.builder(version).endpoints(endpoints).requiredModules(required);
    if (Files.exists(root.resolve(SCHEMA_FILE))) {
      spec.remoteConfigSchema(Path.of(SCHEMA_FILE));
    }
    return spec.build();
  }

  private JsonNode readModule(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return YAML.createObjectNode();
    } catch (IOException e) {
      throw new Invalid(List.of(MODULE_FILE + ": cannot read the file: " + e));
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new Invalid(List.of(MODULE_FILE + ": invalid YAML"
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr()) + ": " + firstLine(e.getOriginalMessage())));
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return YAML.createObjectNode();
    }
    if (!root.isObject()) {
      throw new Invalid(List.of(MODULE_FILE + ": expected a mapping with version, requiredModules, endpoints"));
    }
    for (String key : root.propertyNames()) {
      if (!MODULE_KEYS.contains(key)) {
        problem(key, "unknown key (known: version, requiredModules, endpoints)");
      }
    }
    return root;
  }

  private List<String> requiredModules(JsonNode module) {
    JsonNode list = module.get("requiredModules");
    List<String> required = new ArrayList<>();
    if (list == null || list.isNull()) {
      return required;
    }
    if (!list.isArray()) {
      problem("requiredModules", "expected a list of module names");
      return required;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode name = list.get(i);
      if (!name.isString() || name.asString().isBlank()) {
        problem("requiredModules[" + i + "]", "expected a module name, got " + name);
      } else if (!required.contains(name.asString().strip())) {
        required.add(name.asString().strip());
      }
    }
    return required;
  }

  private List<Endpoint> endpoints(JsonNode module) {
    JsonNode list = module.get("endpoints");
    List<Endpoint> endpoints = new ArrayList<>();
    if (list == null || list.isNull()) {
      return endpoints;
    }
    if (!list.isArray()) {
      problem("endpoints", "expected a list");
      return endpoints;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String where = "endpoints[" + i + "]";
      if (!item.isObject()) {
        problem(where, "expected a mapping with path and httpMethod");
        continue;
      }
      for (String key : item.propertyNames()) {
        if (!ENDPOINT_KEYS.contains(key)) {
          problem(where + "." + key, "unknown key (known: path, httpMethod, inner, userAuthRequired, extra)");
        }
      }
      Optional<String> path = text(item, "path", where + ".path");
      Optional<String> method = text(item, "httpMethod", where + ".httpMethod");
      if (path.isEmpty()) {
        problem(where + ".path", "required");
      } else if (method.isEmpty()) {
        problems.add(MODULE_FILE + ": endpoint " + path.get() + ": httpMethod is required (the module's transport "
            + "is http)");
      }
      JsonNode extra = item.get("extra");
      if (extra != null && !extra.isNull() && !extra.isObject()) {
        problem(where + ".extra", "expected a mapping");
        extra = null;
      }
      boolean inner = bool(item, "inner", where);
      boolean userAuth = bool(item, "userAuthRequired", where);
      if (path.isPresent() && method.isPresent()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> extraMap = extra == null || extra.isNull() ? null : YAML.convertValue(extra, Map.class);
        endpoints.add(new Endpoint(path.get(), inner, userAuth, method.get().toUpperCase(Locale.ROOT), extraMap));
      }
    }
    return endpoints;
  }

  private Optional<String> text(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isValueNode() || value.asString().isBlank()) {
      problem(where, "expected text, got " + value);
      return Optional.empty();
    }
    return Optional.of(value.asString().strip());
  }

  private boolean bool(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      problem(where + "." + key, "expected true or false, got " + value);
      return false;
    }
    return value.asBoolean();
  }

  private void problem(String key, String problem) {
    problems.add(MODULE_FILE + ": " + key + ": " + problem);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    for (String line : text.split("\\R")) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    return "";
  }
}
