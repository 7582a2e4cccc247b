package ru.txix.isp.pywrapper.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import ru.txix.isp.pywrapper.internal.OneLine;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The local config the way isp-kit reads it: YAML flattened to lower-cased {@code a.b.c} keys (list items as
 * {@code [i]} segments), with environment variables laid over it. Each value remembers where it came from, so
 * errors name the file or the variable.
 *
 * <p>Typed getters take the key as documented ({@code grpcInnerAddress.port}); lookup ignores case. A value
 * that cannot be used is recorded as a problem (one per key) and the getter returns nothing, so that every
 * problem of the file is found in one pass.
 */
final class FlatConfig {
  /** Keys whose YAML mapping value is kept whole, as a tree, rather than flattened. */
  private static final String KEEP_AS_TREE = "remoteconfigoverride";

  /**
   * A value, where it came from, and its key as written there; {@code tree} is a YAML mapping kept whole (its
   * {@code text} then empty), else null.
   */
  private record Value(String text, String origin, String spelling, JsonNode tree) {
    Value(String text, String origin, String spelling) {
      this(text, origin, spelling, null);
    }
  }

  /** A key as given: its spelling, and whether it came from the file or a variable with the prefix. */
  record Key(String spelling, boolean fromFile, boolean prefixed) {
  }

  private final String file;
  private final Map<String, Value> values = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final Set<String> problemKeys = new HashSet<>();
  private final List<String> warnings = new ArrayList<>();
  private final Set<String> warningKeys = new HashSet<>();
  private boolean prefixed;

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
    config.flatten("", "", yaml);
    String lowerPrefix = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT);
    config.prefixed = !lowerPrefix.isEmpty();
    new TreeMap<>(environment).forEach((name, value) -> {
      String key = name.toLowerCase(Locale.ROOT);
      if (!key.startsWith(lowerPrefix) || key.length() == lowerPrefix.length()) {
        return;
      }
      config.values.put(key.substring(lowerPrefix.length()),
          new Value(value, "environment variable " + name, name.substring(lowerPrefix.length())));
    });
    return config;
  }

  private void flatten(String path, String spelling, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isObject() && path.equals(KEEP_AS_TREE)) {
      values.put(path, new Value("", file, spelling, node));
    } else if (node.isObject()) {
      node.properties().forEach(e -> flatten(join(path, e.getKey().toLowerCase(Locale.ROOT)),
          join(spelling, e.getKey()), e.getValue()));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(join(path, "[" + i + "]"), join(spelling, "[" + i + "]"), node.get(i));
      }
    } else {
      values.put(path, new Value(node.isNumber() ? JsonValues.numberText(node) : node.asString(), file, spelling));
    }
  }

  private static String join(String path, String segment) {
    return path.isEmpty() ? segment : path + "." + segment;
  }

  Optional<String> string(String key) {
    return Optional.ofNullable(values.get(normal(key))).map(Value::text);
  }

  /** The text of a required key; a missing key is recorded as a problem and {@code ""} returned. */
  String requiredString(String key) {
    Optional<String> value = string(key).filter(s -> !s.isBlank());
    if (value.isEmpty()) {
      problem(key, "required key is missing");
    }
    return value.orElse("");
  }

  /**
   * A JSON value: a YAML mapping kept whole, or a text (in the file or a variable) parsed as JSON once, its numbers
   * as written; invalid JSON is recorded as a problem. Empty when absent or blank.
   */
  Optional<JsonNode> json(String key) {
    Value value = values.get(normal(key));
    if (value != null && value.tree() != null) {
      return Optional.of(value.tree());
    }
    return string(key).filter(s -> !s.isBlank()).flatMap(s -> {
      try {
        return Optional.of(JsonValues.read(s));
      } catch (JacksonException e) {
        problem(key, "invalid JSON: " + OneLine.of(e.getOriginalMessage()));
        return Optional.empty();
      }
    });
  }

  Optional<Integer> integer(String key) {
    return string(key).filter(s -> !s.isBlank()).flatMap(s -> {
      try {
        return Optional.of(Integer.parseInt(s.strip()));
      } catch (NumberFormatException e) {
        problem(key, "must be an integer, got \"" + s + "\"");
        return Optional.empty();
      }
    });
  }

  /** A required port; a missing or bad one is recorded as a problem and 0 returned. */
  int requiredPort(String key) {
    Optional<Integer> port = port(key);
    if (port.isEmpty()) {
      problem(key, "required key is missing");
    }
    return port.orElse(0);
  }

  Optional<Integer> port(String key) {
    return integer(key).flatMap(p -> {
      if (p < 1 || p > 65535) {
        problem(key, "must be a port in 1..65535, got " + p);
        return Optional.empty();
      }
      return Optional.of(p);
    });
  }

  Optional<Integer> nonNegativeInteger(String key) {
    return integer(key).flatMap(n -> {
      if (n < 0) {
        problem(key, "must not be negative, got " + n);
        return Optional.empty();
      }
      return Optional.of(n);
    });
  }

  Optional<Boolean> bool(String key) {
    return string(key).filter(s -> !s.isBlank()).flatMap(s -> switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "true", "1", "t", "yes", "on" -> Optional.of(true);
      case "false", "0", "f", "no", "off" -> Optional.of(false);
      default -> {
        problem(key, "must be true or false, got \"" + s + "\"");
        yield Optional.empty();
      }
    });
  }

  Optional<Duration> duration(String key) {
    return string(key).filter(s -> !s.isBlank()).flatMap(s -> {
      try {
        Duration d = GoDuration.parse(s);
        if (d.isNegative()) {
          problem(key, "must not be negative, got \"" + s + "\"");
          return Optional.empty();
        }
        return Optional.of(d);
      } catch (IllegalArgumentException e) {
        problem(key, e.getMessage());
        return Optional.empty();
      }
    });
  }

  /** One of {@code choices} (ignoring case, returned lower-cased); anything else is recorded as a problem. */
  Optional<String> choice(String key, List<String> choices) {
    return string(key).filter(s -> !s.isBlank()).map(s -> s.strip().toLowerCase(Locale.ROOT)).flatMap(s -> {
      if (choices.contains(s)) {
        return Optional.of(s);
      }
      problem(key, "must be one of " + String.join(", ", choices) + ", got \"" + s + "\"");
      return Optional.empty();
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
          problem(key, "bad list index in " + k);
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

  /**
   * Records a problem with {@code key}, naming where its value came from (or the file, when it is missing).
   * Only the first problem of a key is kept.
   */
  void problem(String key, String problem) {
    String normal = normal(key);
    if (problemKeys.add(normal)) {
      problems.add(origin(normal) + ": " + key + ": " + problem);
    }
  }

  /** True once a problem was recorded for {@code key}. */
  boolean hasProblem(String key) {
    return problemKeys.contains(normal(key));
  }

  /** The problems recorded so far, in the order found. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * Records a warning about {@code key} (the start goes on), naming where it came from; one per key.
   */
  void warning(String key, String warning) {
    String normal = normal(key);
    if (warningKeys.add(normal)) {
      warnings.add(origin(normal) + ": " + key + ": " + warning);
    }
  }

  /** Where the value of {@code key} (or, for a section, of its first key) came from; the file when absent. */
  private String origin(String normal) {
    Value value = values.get(normal);
    if (value == null) {
      value = values.entrySet().stream().filter(e -> e.getKey().startsWith(normal + "."))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    }
    return value == null ? file : value.origin();
  }

  /** The warnings recorded so far, in the order found. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The keys present, flattened, as written in the file or the variable's name (lookups ignore case). */
  List<Key> givenKeys() {
    return values.values().stream().map(v -> new Key(v.spelling(), v.origin().equals(file), prefixed)).toList();
  }

  private static String normal(String key) {
    return key.toLowerCase(Locale.ROOT);
  }
}
