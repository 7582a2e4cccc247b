package ru.txix.isp.pywrapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.config.UnknownKey;
import ru.txix.isp.pywrapper.config.YamlReader;
import ru.txix.isp.pywrapper.internal.json.JsonNumber;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;

/**
 * {@code conf/module.yml}, the launcher's declaration of a module: {@code version}, {@code requiredModules},
 * {@code endpoints} (each {@code path}, {@code httpMethod}, and optionally {@code inner}, {@code userAuthRequired},
 * {@code extra}). Every key of the file is the host's, so any other key is a problem (with the nearest known
 * key), except inside {@code extra}, which is free. Every problem is collected, one line each naming the file.
 * Numbers in {@code extra} keep their text ({@link JsonNumber}).
 */
final class ModuleFile {
  static final String PATH = "conf/module.yml";
  static final String SCHEMA_PATH = "conf/remote_config_schema.json";
  static final String DEFAULT_VERSION = "0.0.0";

  private static final List<String> MODULE_KEYS = List.of("version", "requiredModules", "endpoints");
  private static final List<String> ENDPOINT_KEYS = List.of("path", "httpMethod", "inner", "userAuthRequired",
      "extra");

  private final String name;
  private final List<String> problems = new ArrayList<>();
  String version = DEFAULT_VERSION;
  final List<String> requiredModules = new ArrayList<>();
  final List<Endpoint> endpoints = new ArrayList<>();

  private ModuleFile(String name) {
    this.name = name;
  }

  /** Reads {@code file} (absent: an empty declaration); {@code name} is how problems name it. */
  static ModuleFile read(Path file, String name) {
    ModuleFile module = new ModuleFile(name);
    try {
      module.read(Files.readString(file));
    } catch (NoSuchFileException e) {
      // optional
    } catch (IOException e) {
      module.problems.add(name + ": cannot read the file: " + e);
    } catch (ConfigException e) {
      module.problems.addAll(e.problems());
    }
    return module;
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  private void read(String text) {
    JsonNode root = YamlReader.read(text, name);
    if (root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      problems.add(name + ": expected a mapping with version, requiredModules, endpoints");
      return;
    }
    for (String key : root.propertyNames()) {
      if (!MODULE_KEYS.contains(key)) {
        problem(key, UnknownKey.message(key, MODULE_KEYS));
      }
    }
    text(root, "version", "version").ifPresent(v -> version = v);
    requiredModules(root.get("requiredModules"));
    endpoints(root.get("endpoints"));
  }

  private void requiredModules(JsonNode list) {
    if (list == null || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      problem("requiredModules", "expected a list of module names");
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      if (!item.isString() || item.stringValue().isBlank()) {
        problem("requiredModules[" + i + "]", "expected a module name, got " + show(item));
      } else if (!requiredModules.contains(item.stringValue().strip())) {
        requiredModules.add(item.stringValue().strip());
      }
    }
  }

  private void endpoints(JsonNode list) {
    if (list == null || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      problem("endpoints", "expected a list");
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      String where = "endpoints[" + i + "]";
      JsonNode item = list.get(i);
      if (!item.isObject()) {
        problem(where, "expected a mapping with path and httpMethod");
        continue;
      }
      for (String key : item.propertyNames()) {
        if (!ENDPOINT_KEYS.contains(key)) {
          problem(where + "." + key, UnknownKey.message(key, ENDPOINT_KEYS));
        }
      }
      Optional<String> path = text(item, "path", where + ".path");
      Optional<String> method = text(item, "httpMethod", where + ".httpMethod");
      if (path.isEmpty()) {
        problem(where + ".path", "required");
      } else if (method.isEmpty()) {
        problems.add(name + ": endpoint " + path.get() + ": httpMethod is required (the module's transport is http)");
      }
      JsonNode extra = item.get("extra");
      if (extra != null && !extra.isNull() && !extra.isObject()) {
        problem(where + ".extra", "expected a mapping");
        extra = null;
      }
      boolean inner = bool(item, "inner", where);
      boolean userAuth = bool(item, "userAuthRequired", where);
      if (path.isPresent() && method.isPresent()) {
        endpoints.add(new Endpoint(path.get(), inner, userAuth, method.get().toUpperCase(Locale.ROOT),
            extra == null || extra.isNull() ? null : object(extra)));
      }
    }
  }

  /** {@code extra} as plain values for the declaration: maps, lists, text, booleans, null, exact numbers. */
  private static Map<String, Object> object(JsonNode node) {
    Map<String, Object> map = new LinkedHashMap<>();
    node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
    return Collections.unmodifiableMap(map);
  }

  private static Object plain(JsonNode node) {
    if (node.isObject()) {
      return object(node);
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(plain(item)));
      return Collections.unmodifiableList(list);
    }
    if (node.isNumber()) {
      return new JsonNumber(JsonValues.numberText(node));
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node.isNull() ? null : node.asString();
  }

  private Optional<String> text(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    String text = value.isNumber() ? JsonValues.numberText(value) : value.asString();
    if (value.isContainer() || text.isBlank()) {
      problem(where, "expected text, got " + show(value));
      return Optional.empty();
    }
    return Optional.of(text.strip());
  }

  private boolean bool(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      problem(where + "." + key, "expected true or false, got " + show(value));
      return false;
    }
    return value.booleanValue();
  }

  /** A value in a message: as JSON (text quoted). */
  private static String show(JsonNode value) {
    return JsonValues.text(value);
  }

  private void problem(String key, String problem) {
    problems.add(name + ": " + key + ": " + problem);
  }
}
