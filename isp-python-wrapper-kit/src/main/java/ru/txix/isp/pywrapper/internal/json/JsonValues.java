package ru.txix.isp.pywrapper.internal.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ContainerNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * The JSON of configs: read without loss, written back with the same values, compared as values.
 *
 * <p>Every floating-point number is read as a {@code BigDecimal} (and integers as int, long or
 * {@code BigInteger}, whatever holds them), keeping trailing zeros, so a config is written to the child digit
 * for digit as it arrived ({@code 3.14159265358979323846264338327950288} stays that; only the text form of an
 * equal value may change, e.g. {@code 1e400} is written {@code 1E+400}).
 *
 * <p>Trees are read and written with Jackson's streaming parsers and generators, not through an
 * {@code ObjectMapper}: building a mapper costs a few hundred classes, and configs are read on the host's
 * start-up path. {@link #mapper()} is there for the few places that bind Java types.
 */
public final class JsonValues {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final TokenStreamFactory JSON = new JsonFactory();

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
    if (a.equals(b)) {
      return 0;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return 1;
  };

  private JsonValues() {
  }

  /** A mapper with the same number rules as the tree readers, for binding Java types. Thread-safe; built once. */
  public static JsonMapper mapper() {
    return MapperHolder.MAPPER;
  }

  private static final class MapperHolder {
    static final JsonMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .build();
  }

  private static final class YamlHolder {
    static final TokenStreamFactory YAML = new YAMLFactory();
  }

  /** A new empty object node. */
  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /** A new empty array node. */
  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  /**
   * The JSON document {@code text}: a {@link MissingNode} when it holds no value at all.
   *
   * @throws JacksonException when it is not JSON, or has more than one value
   */
  public static JsonNode read(String text) {
    try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), text)) {
      return tree(parser);
    }
  }

  /** As {@link #read(String)}, from UTF-8 bytes. */
  public static JsonNode read(byte[] utf8) {
    try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), utf8)) {
      return tree(parser);
    }
  }

  /** The YAML document {@code text} as a tree (a {@link MissingNode} when empty), with the same number rules. */
  public static JsonNode readYaml(String text) {
    try (JsonParser parser = YamlHolder.YAML.createParser(ObjectReadContext.empty(), text)) {
      return tree(parser);
    }
  }

  /** Compact UTF-8 JSON of {@code node}. */
  public static byte[] bytes(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
      write(generator, node);
    }
    return out.toByteArray();
  }

  /** Compact JSON text of {@code node}. */
  public static String text(JsonNode node) {
    return new String(bytes(node), StandardCharsets.UTF_8);
  }

  /** True if both documents denote the same JSON value: key order is irrelevant and {@code 1} equals {@code 1.0}. */
  public static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_VALUE, b);
  }

  /** Reads one value and requires the end of the input after it; iterative, so depth costs no stack. */
  private static JsonNode tree(JsonParser parser) {
    JsonToken token = parser.nextToken();
    if (token == null) {
      return MissingNode.getInstance();
    }
    Deque<ContainerNode<?>> open = new ArrayDeque<>();
    JsonNode root = null;
    String name = null;
    while (token != null) {
      JsonNode value = null;
      switch (token) {
        case PROPERTY_NAME -> name = parser.currentName();
        case START_OBJECT -> value = NODES.objectNode();
        case START_ARRAY -> value = NODES.arrayNode();
        case END_OBJECT, END_ARRAY -> open.pop();
        default -> value = scalar(parser, token);
      }
      if (value != null) {
        ContainerNode<?> parent = open.peek();
        if (parent == null) {
          root = value;
        } else if (parent instanceof ObjectNode object) {
          object.set(name, value);
        } else {
          ((ArrayNode) parent).add(value);
        }
        if (value instanceof ContainerNode<?> container) {
          open.push(container);
        }
      }
      if (open.isEmpty()) {
        break;
      }
      token = parser.nextToken();
    }
    JsonToken trailing = parser.nextToken();
    if (trailing != null) {
      throw new StreamReadException(parser, "Trailing token (`" + trailing + "`) found after the value");
    }
    return root;
  }

  private static JsonNode scalar(JsonParser parser, JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> NODES.stringNode(parser.getString());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
        case INT -> NODES.numberNode(parser.getIntValue());
        case LONG -> NODES.numberNode(parser.getLongValue());
        default -> NODES.numberNode(parser.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> {
        if (parser.isNaN()) { // YAML's .inf and .nan: JSON has no such numbers, and a string would not be one
          throw new StreamReadException(parser, "not a finite number: " + parser.getText());
        }
        yield NODES.numberNode(parser.getDecimalValue());
      }
      case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject() instanceof byte[] binary
          ? NODES.binaryNode(binary) : NODES.pojoNode(parser.getEmbeddedObject());
      default -> throw new StreamReadException(parser, "Unexpected token " + token);
    };
  }

  private static void write(JsonGenerator out, JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        out.writeStartObject();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
          out.writeName(entry.getKey());
          write(out, entry.getValue());
        }
        out.writeEndObject();
      }
      case ARRAY -> {
        out.writeStartArray();
        for (JsonNode item : node) {
          write(out, item);
        }
        out.writeEndArray();
      }
      case STRING -> out.writeString(node.stringValue());
      case BOOLEAN -> out.writeBoolean(node.booleanValue());
      case NULL, MISSING -> out.writeNull();
      case NUMBER -> {
        if (node.isIntegralNumber()) {
          out.writeNumber(node.bigIntegerValue());
        } else if (node.isBigDecimal()) {
          out.writeNumber(node.decimalValue());
        } else {
          out.writeNumber(node.doubleValue());
        }
      }
      case BINARY -> out.writeBinary(node.binaryValue());
      case POJO -> out.writeString(node.toString());
    }
  }
}
