package ru.txix.isp.pywrapper.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import ru.txix.isp.pywrapper.internal.OneLine;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the host's YAML files ({@code conf/config.yml}, {@code conf/module.yml}) into JSON values, with errors a
 * person can act on: the line and column of the offending character, and words such as "tab characters are not
 * allowed for indentation", "unclosed `[`" or "unclosed quote" instead of the parser's states. A key given twice
 * in one mapping is an error naming both places (YAML forbids it; a parser that kept the last would hide the
 * first).
 *
 * <p>YAML 1.2's core schema (snakeyaml-engine's composer; no Java objects are constructed): {@code null},
 * {@code ~} and nothing are null, {@code true}/{@code false} booleans, numbers numbers, everything else text
 * (quoted scalars always). A number whose text is JSON's keeps it to the character ({@code -0.0}, {@code 5e0},
 * {@code 2.50}); others become the JSON number of the same value ({@code 0x1F} is 31, {@code +1} is 1,
 * {@code .5} is 0.5); {@code .inf} and {@code .nan} are errors (JSON has no such numbers). Anchors and aliases
 * are resolved; other tags are read as the scalar's text.
 */
public final class YamlReader {
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String name;
  private final List<String> problems = new ArrayList<>();
  /** The collections being read, to refuse an alias to one of its own ancestors. */
  private final Map<Node, Boolean> open = new IdentityHashMap<>();

  private YamlReader(String name) {
    this.name = name;
  }

  /**
   * The document {@code text}: a {@link MissingNode} when it holds no value at all.
   *
   * @param name how errors name the file, e.g. {@code conf/config.yml}
   * @throws ConfigException the syntax error, or every duplicated key and non-finite number, one line each:
   *     {@code conf/config.yml: invalid YAML at line 4, column 1: tab characters are not allowed for indentation}
   */
  public static JsonNode read(String text, String name) {
    Optional<Node> root;
    try {
      LoadSettings settings = LoadSettings.builder().setSchema(new CoreSchema()).setLabel(name).build();
      root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text))).getSingleNode();
    } catch (MarkedYamlEngineException e) {
      throw new ConfigException(name + ": invalid YAML " + describe(e, text), e);
    } catch (YamlEngineException e) {
      throw new ConfigException(name + ": invalid YAML: " + OneLine.of(e.getMessage()), e);
    }
    if (root.isEmpty()) {
      return MissingNode.getInstance();
    }
    YamlReader reader = new YamlReader(name);
    JsonNode value = reader.value(root.get());
    if (!reader.problems.isEmpty()) {
      throw new ConfigException(reader.problems);
    }
    return value;
  }

  private JsonNode value(Node node) {
    if (node instanceof ScalarNode scalar) {
      return scalar(scalar);
    }
    if (open.put(node, Boolean.TRUE) != null) {
      problem(node.getStartMark(), "an alias refers to the collection that holds it");
      return NODES.nullNode();
    }
    try {
      if (node instanceof SequenceNode sequence) {
        ArrayNode array = NODES.arrayNode();
        sequence.getValue().forEach(item -> array.add(value(item)));
        return array;
      }
      return mapping((MappingNode) node);
    } finally {
      open.remove(node);
    }
  }

  private ObjectNode mapping(MappingNode mapping) {
    ObjectNode object = NODES.objectNode();
    Map<String, Optional<Mark>> seen = new HashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        problem(keyNode.getStartMark(), "a key must be text, not a " + (keyNode instanceof SequenceNode ? "list"
            : "mapping"));
        continue;
      }
      String key = scalarKey.getValue();
      Optional<Mark> first = seen.putIfAbsent(key, keyNode.getStartMark());
      if (first != null) {
        problem(keyNode.getStartMark(), "duplicate key " + key + " (first at " + at(first) + ")");
        continue;
      }
      object.set(key, value(tuple.getValueNode()));
    }
    return object;
  }

  private JsonNode scalar(ScalarNode scalar) {
    String text = scalar.getValue();
    Tag tag = scalar.getTag();
    if (tag.equals(Tag.NULL)) {
      return NODES.nullNode();
    }
    if (tag.equals(Tag.BOOL)) {
      return NODES.booleanNode(text.toLowerCase(Locale.ROOT).equals("true"));
    }
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      String number = jsonNumber(text, tag.equals(Tag.INT));
      if (number == null) {
        problem(scalar.getStartMark(), "not a finite number: " + text + " (JSON has none; quote it for text)");
        return NODES.nullNode();
      }
      return JsonValues.number(number);
    }
    return NODES.stringNode(text);
  }

  /** {@code text} (a YAML core-schema number) as JSON number text; null for the infinities and NaN. */
  static String jsonNumber(String text, boolean integer) {
    if (JSON_NUMBER.matcher(text).matches()) {
      return text;
    }
    String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
    boolean negative = text.startsWith("-");
    if (integer) {
      BigInteger value = unsigned.startsWith("0x") ? new BigInteger(unsigned.substring(2), 16)
          : unsigned.startsWith("0o") ? new BigInteger(unsigned.substring(2), 8) : new BigInteger(unsigned);
      return (negative ? value.negate() : value).toString();
    }
    String lower = unsigned.toLowerCase(Locale.ROOT);
    if (lower.equals(".inf") || lower.equals(".nan")) {
      return null;
    }
    BigDecimal value = new BigDecimal(unsigned.startsWith(".") ? "0" + unsigned : unsigned);
    return (negative ? "-" : "") + value.toString();
  }

  private void problem(Optional<Mark> mark, String problem) {
    problems.add(name + ": invalid YAML at " + at(mark) + ": " + problem);
  }

  private static String at(Optional<Mark> mark) {
    return mark.map(m -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("?");
  }

  /**
   * {@code at line L, column C: what is wrong}, in a person's words where the parser's are a state.
   *
   * <p>A quote left open is the one mistake YAML itself cannot place: a quoted value may span lines, so the
   * parser reads on to the next quote of the file and fails somewhere after it. When a line before the failure
   * opens a quote it does not close, that quote is named instead.
   */
  static String describe(MarkedYamlEngineException e, String text) {
    Optional<Mark> where = e.getProblemMark();
    int failedAt = where.map(Mark::getLine).orElse(Integer.MAX_VALUE);
    int[] quote = unclosedQuote(text, failedAt);
    if (quote != null && quote[0] < failedAt) {
      return "at line " + (quote[0] + 1) + ", column " + (quote[1] + 1) + ": unclosed quote";
    }
    return describe(e);
  }

  /** The first line (0-based line and column) up to {@code lastLine} that opens a quoted value and ends in it. */
  static int[] unclosedQuote(String text, int lastLine) {
    String[] lines = text.split("\\R", -1);
    for (int n = 0; n < lines.length && n <= lastLine; n++) {
      String line = lines[n];
      int i = 0;
      while (i < line.length()) {
        char c = line.charAt(i);
        if (c == '#' && (i == 0 || line.charAt(i - 1) == ' ' || line.charAt(i - 1) == '\t')) {
          break; // a comment
        }
        if ((c == '"' || c == '\'') && startsValue(line, i)) {
          int end = closing(line, i);
          if (end < 0) {
            return new int[] {n, i};
          }
          i = end + 1;
          continue;
        }
        i++;
      }
    }
    return null;
  }

  /** True when the quote at {@code i} starts a value or key: after indentation, {@code : }, {@code - }, {@code [}, {@code {} or {@code ,}. */
  private static boolean startsValue(String line, int i) {
    int j = i - 1;
    while (j >= 0 && line.charAt(j) == ' ') {
      j--;
    }
    if (j < 0) {
      return true;
    }
    char before = line.charAt(j);
    return (before == ':' || before == '-') && j < i - 1 || before == '[' || before == '{' || before == ',';
  }

  /** The index of the quote closing the one at {@code open} on the same line, or -1. */
  private static int closing(String line, int open) {
    char quote = line.charAt(open);
    for (int i = open + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == '"' && c == '\\') {
        i++; // an escape
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < line.length() && line.charAt(i + 1) == '\'') {
          i++; // '' inside single quotes
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  private static String describe(MarkedYamlEngineException e) {
    String context = e.getContext() == null ? "" : e.getContext();
    String problem = e.getProblem() == null ? "" : e.getProblem();
    Optional<Mark> where = e.getProblemMark();
    Optional<Mark> opened = e.getContextMark();
    if (problem.startsWith("found character '\\t")) {
      return "at " + at(where) + ": tab characters are not allowed for indentation (indent with spaces)";
    }
    if (problem.contains("that cannot start any token")) {
      int quote = problem.indexOf('\'');
      String character = quote < 0 ? "this character" : "`" + problem.substring(quote + 1,
          problem.indexOf('\'', quote + 1)) + "`";
      return "at " + at(where) + ": " + character + " cannot start a value (quote the value)";
    }
    boolean sequence = context.contains("flow sequence");
    if ((sequence || context.contains("flow mapping")) && opened.isPresent()) {
      String open = sequence ? "[" : "{";
      String close = sequence ? "]" : "}";
      boolean unclosed = problem.contains("<stream end>")
          || where.map(m -> m.getLine() > opened.get().getLine()).orElse(true);
      return unclosed
          ? "at " + at(opened) + ": unclosed `" + open + "` (expected `,` or `" + close + "` at " + at(where) + ")"
          : "at " + at(where) + ": expected `,` or `" + close + "` in the `" + open + "` opened at " + at(opened);
    }
    if (context.contains("quoted scalar") && problem.contains("end of stream") && opened.isPresent()) {
      return "at " + at(opened) + ": unclosed quote";
    }
    if (context.contains("simple key") && problem.contains("expected ':'") && opened.isPresent()) {
      return "at " + at(opened) + ": expected `key: value` (a `:` is missing) or a list item (`- `)";
    }
    if (problem.startsWith("mapping values are not allowed")) {
      return "at " + at(where) + ": unexpected `:` (a line indented too far? a value holding `: ` must be "
          + "quoted)";
    }
    if (problem.startsWith("expected <block end>")) {
      return "at " + at(where) + ": unexpected " + found(problem) + " (check the indentation)";
    }
    if (problem.startsWith("found undefined alias")) {
      return "at " + at(where) + ": undefined alias *" + problem.substring("found undefined alias".length()).strip();
    }
    if (context.contains("single document")) {
      return "at " + at(where) + ": a second document (`---`): the file holds one";
    }
    String words = OneLine.of(problem.isEmpty() ? context : problem);
    int note = words.indexOf(" (");
    return "at " + at(where.isPresent() ? where : opened) + ": " + (note > 0 ? words.substring(0, note) : words);
  }

  /** What an {@code expected <block end>, but found X} found, in words. */
  private static String found(String problem) {
    String found = problem.substring(problem.indexOf("found") + "found".length()).strip();
    return switch (found) {
      case "'<block sequence start>'", "'-'" -> "list item";
      case "'<block mapping start>'" -> "mapping";
      case "'<scalar>'" -> "text after the value";
      case "'?'" -> "complex key";
      default -> found.startsWith("'") && found.endsWith("'") && found.length() == 3
          ? "`" + found.charAt(1) + "`" : found;
    };
  }
}
