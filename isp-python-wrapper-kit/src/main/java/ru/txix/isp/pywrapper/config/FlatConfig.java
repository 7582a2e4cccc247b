package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local config the way isp-kit reads it: YAML flattened to lower-cased {@code a.b.c} keys (list items as
 * {@code [i]} segments), with environment variables laid over it. Each value remembers where it came from, so
 * errors name the file or the variable.
 *
 * <p>Typed getters take the key as documented ({@code grpcInnerAddress.port}); lookup ignores case.
 */
final class FlatConfig {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Keys whose YAML mapping value is kept whole, as JSON text, rather than flattened. */
  private static final String KEEP_AS_JSON = "remoteconfigoverride";

  private record Value(String text, String origin) {
  }

  private final String file;
  private final Map<String, Value> values = new LinkedHashMap<>();

  private FlatConfig(String file) {
    this.file = file;
  }

  /**
   * Flattens {@code yaml} (the document's root) and applies {@code environment}: with a non-empty
   * {@code prefix} only variables starting with it (ignoring case) are used, minus the prefix; without one
   * every variable is a key. Values are taken verbatim.
   */
  static FlatConfig of(String file, JsonNode yaml, Map<String, String> environment, String prefix) {
    FlatConfig config = new FlatConfig(file);
    config.flatten("", yaml);
    String lowerPrefix = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT);
    new TreeMap<>(environment).forEach((name, value) -> {
      String key = name.toLowerCase(Locale.ROOT);
      if (!key.startsWith(lowerPrefix) || key.length() == lowerPrefix.length()) {
        return;
      }
      config.values.put(key.substring(lowerPrefix.length()), new Value(value, "environment variable " + name));
    });
    return config;
  }

  private void flatten(String path, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isObject() && path.equals(KEEP_AS_JSON)) {
      values.put(path, new Value(JSON.writeValueAsString(node), file));
    } else if (node.isObject()) {
      node.properties().forEach(e -> flatten(join(path, e.getKey().toLowerCase(Locale.ROOT)), e.getValue()));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(join(path, "[" + i + "]"), node.get(i));
      }
    } else {
      values.put(path, new Value(node.asString(), file));
    }
  }

  private static String join(String path, String segment) {
    return path.isEmpty() ? segment : path + "." + segment;
  }

  Optional<String> string(String key) {
    return Optional.ofNullable(values.get(normal(key))).map(Value::text);
  }

  String requiredString(String key) {
    return string(key).filter(s -> !s.isBlank())
        .orElseThrow(() -> error(key, "required key is missing"));
  }

  Optional<Integer> integer(String key) {
    return string(key).filter(s -> !s.isBlank()).map(s -> {
      try {
        return Integer.parseInt(s.strip());
      } catch (NumberFormatException e) {
        throw error(key, "must be an integer, got \"" + s + "\"");
      }
    });
  }

  int requiredPort(String key) {
    return port(key).orElseThrow(() -> error(key, "required key is missing"));
  }

  Optional<Integer> port(String key) {
    return integer(key).map(p -> {
      if (p < 1 || p > 65535) {
        throw error(key, "must be a port in 1..65535, got " + p);
      }
      return p;
    });
  }

  Optional<Boolean> bool(String key) {
    return string(key).filter(s -> !s.isBlank()).map(s -> switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "true", "1", "t", "yes", "on" -> true;
      case "false", "0", "f", "no", "off" -> false;
      default -> throw error(key, "must be true or false, got \"" + s + "\"");
    });
  }

  Optional<Duration> duration(String key) {
    return string(key).filter(s -> !s.isBlank()).map(s -> {
      try {
        Duration d = GoDuration.parse(s);
        if (d.isNegative()) {
          throw error(key, "must not be negative, got \"" + s + "\"");
        }
        return d;
      } catch (IllegalArgumentException e) {
        throw error(key, e.getMessage());
      }
    });
  }

  /**
   * A list: {@code key.[0]}, {@code key.[1]}… in index order, or a single value split on whitespace. A single
   * value from the environment wins over list items from the file.
   */
  Optional<List<String>> list(String key) {
    String base = normal(key);
    Value scalar = values.get(base);
    if (scalar != null && !scalar.origin().equals(file)) {
      return Optional.of(split(scalar.text()));
    }
    TreeMap<Integer, String> items = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(base + ".[") && k.endsWith("]") && k.indexOf('.', base.length() + 1) < 0) {
        try {
          items.put(Integer.parseInt(k.substring(base.length() + 2, k.length() - 1)), v.text());
        } catch (NumberFormatException e) {
          throw error(key, "bad list index in " + k);
        }
      }
    });
    if (!items.isEmpty()) {
      return Optional.of(List.copyOf(items.values()));
    }
    return string(key).map(FlatConfig::split);
  }

  private static List<String> split(String text) {
    return text.isBlank() ? List.of() : List.of(text.strip().split("\\s+"));
  }

  /** A map under {@code key}: its direct children (keys are lower-cased, as in isp-kit). */
  Map<String, String> map(String key) {
    String base = normal(key) + ".";
    Map<String, String> result = new LinkedHashMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(base) && k.indexOf('.', base.length()) < 0) {
        result.put(k.substring(base.length()), v.text());
      }
    });
    return result;
  }

  /** An error about {@code key}, naming where its value came from (or the file, when it is missing). */
  ConfigException error(String key, String problem) {
    Value value = values.get(normal(key));
    String origin = value == null ? file : value.origin();
    return new ConfigException(origin + ": " + key + ": " + problem);
  }

  private static String normal(String key) {
    return key.toLowerCase(Locale.ROOT);
  }
}
