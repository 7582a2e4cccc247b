package ru.txix.isp.pywrapper.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.ModuleSpec;
import ru.txix.isp.pywrapper.WrapperOptions;

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
 * by the library at start. The YAML is read into plain Java values (snakeyaml-engine, YAML 1.2 core schema):
 * a data-binding mapper would cost more start-up time than the whole file is worth.
 */
final class ModuleFiles {
  static final String MODULE_FILE = "conf/module.yml";
  static final String SCHEMA_FILE = "conf/remote_config_schema.json";
  static final String DEFAULT_VERSION = "0.0.0";

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
    return load(root, WrapperOptions.DEFAULTS);
  }

  /** As {@link #load(Path)}, hosted with {@code options}. */
  static ModuleSpec load(Path root, WrapperOptions options) {
    ModuleFiles files = new ModuleFiles();
    Map<?, ?> module = files.readModule(root.resolve(MODULE_FILE));
    String version = files.text(module, "version", "version").orElse(DEFAULT_VERSION);
    List<String> required = files.requiredModules(module);
    List<Endpoint> endpoints = files.endpoints(module);
    if (!files.problems.isEmpty()) {
      throw new Invalid(files.problems);
    }
    ModuleSpec.Builder spec = ModuleSpec.builder(version).endpoints(endpoints).requiredModules(required)
        .options(options);
    if (Files.exists(root.resolve(SCHEMA_FILE))) {
      spec.remoteConfigSchema(Path.of(SCHEMA_FILE));
    }
    return spec.build();
  }

  private Map<?, ?> readModule(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      throw new Invalid(List.of(MODULE_FILE + ": cannot read the file: " + e));
    }
    Object root;
    try {
      root = new Load(LoadSettings.builder().setSchema(new CoreSchema()).setLabel(MODULE_FILE).build())
          .loadFromString(text);
    } catch (YamlEngineException e) {
      throw new Invalid(List.of(MODULE_FILE + ": invalid YAML" + where(e) + ": " + firstLine(problemOf(e))));
    }
    if (root == null) {
      return Map.of();
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new Invalid(List.of(MODULE_FILE + ": expected a mapping with version, requiredModules, endpoints"));
    }
    for (Object key : map.keySet()) {
      if (!MODULE_KEYS.contains(key)) {
        problem(String.valueOf(key), "unknown key (known: version, requiredModules, endpoints)");
      }
    }
    return map;
  }

  private static String where(YamlEngineException e) {
    if (e instanceof MarkedYamlEngineException marked) {
      Mark mark = marked.getProblemMark().orElse(marked.getContextMark().orElse(null));
      if (mark != null) {
        return " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      }
    }
    return "";
  }

  private static String problemOf(YamlEngineException e) {
    return e instanceof MarkedYamlEngineException marked && marked.getProblem() != null ? marked.getProblem()
        : e.getMessage();
  }

  private List<String> requiredModules(Map<?, ?> module) {
    Object list = module.get("requiredModules");
    List<String> required = new ArrayList<>();
    if (list == null) {
      return required;
    }
    if (!(list instanceof List<?> names)) {
      problem("requiredModules", "expected a list of module names");
      return required;
    }
    for (int i = 0; i < names.size(); i++) {
      Object name = names.get(i);
      if (!(name instanceof String text) || text.isBlank()) {
        problem("requiredModules[" + i + "]", "expected a module name, got " + show(name));
      } else if (!required.contains(text.strip())) {
        required.add(text.strip());
      }
    }
    return required;
  }

  private List<Endpoint> endpoints(Map<?, ?> module) {
    Object list = module.get("endpoints");
    List<Endpoint> endpoints = new ArrayList<>();
    if (list == null) {
      return endpoints;
    }
    if (!(list instanceof List<?> items)) {
      problem("endpoints", "expected a list");
      return endpoints;
    }
    for (int i = 0; i < items.size(); i++) {
      String where = "endpoints[" + i + "]";
      if (!(items.get(i) instanceof Map<?, ?> item)) {
        problem(where, "expected a mapping with path and httpMethod");
        continue;
      }
      for (Object key : item.keySet()) {
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
      Object extra = item.get("extra");
      if (extra != null && !(extra instanceof Map)) {
        problem(where + ".extra", "expected a mapping");
        extra = null;
      }
      boolean inner = bool(item, "inner", where);
      boolean userAuth = bool(item, "userAuthRequired", where);
      if (path.isPresent() && method.isPresent()) {
        endpoints.add(new Endpoint(path.get(), inner, userAuth, method.get().toUpperCase(Locale.ROOT),
            extra == null ? null : stringKeys((Map<?, ?>) extra)));
      }
    }
    return endpoints;
  }

  /** YAML allows keys of any type; the endpoint's {@code extra} is JSON, whose keys are text. */
  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(String.valueOf(key), value instanceof Map<?, ?> nested
        ? stringKeys(nested) : value));
    return copy;
  }

  private Optional<String> text(Map<?, ?> node, String key, String where) {
    Object value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Map || value instanceof List || String.valueOf(value).isBlank()) {
      problem(where, "expected text, got " + show(value));
      return Optional.empty();
    }
    return Optional.of(String.valueOf(value).strip());
  }

  private boolean bool(Map<?, ?> node, String key, String where) {
    Object value = node.get(key);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean flag)) {
      problem(where + "." + key, "expected true or false, got " + show(value));
      return false;
    }
    return flag;
  }

  /** A YAML value in a message: text quoted, everything else as written. */
  private static String show(Object value) {
    return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
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
