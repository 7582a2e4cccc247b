package ru.txix.isp.pywrapper.internal.json;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
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

/**
 * The JSON of configs: read without loss, written back with the same values, compared as values.
 *
 * <p>Numbers are kept to the character: every number whose text is not the plain form of its value — every
 * number with a fraction or an exponent, and {@code -0} — keeps its text beside its value (a {@code BigDecimal}),
 * and is written back with that text ({@code -0.0}, {@code 5e0}, {@code 2.50}, {@code 1e400} stay); integers
 * in plain form are int, long or {@code BigInteger} nodes, whatever holds them. Checks (schemas, types) see
 * the values; {@link #same} compares the texts.
 *
 * <p>Trees are read and written with Jackson's streaming parsers and generators, not through an
 * {@code ObjectMapper}: building a mapper costs a few hundred classes, and configs are read on the host's
 * start-up path. {@link #mapper()} is there for the few places that bind Java types.
 */
public final class JsonValues {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final TokenStreamFactory JSON = new JsonFactory();

  private static final Comparator<JsonNode> NUMBERS_BY_TEXT = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return numberText(a).equals(numberText(b)) ? 0 : 1;
    }
    return a.equals(b) ? 0 : 1;
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

  /**
   * A number node for {@code text}, which must be a JSON number ({@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}):
   * written back as {@code text}.
   *
   * @throws NumberFormatException when it is not a number
   */
  public static JsonNode number(String text) {
    if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0 && !text.equals("-0")) {
      BigInteger value = new BigInteger(text);
      if (value.bitLength() < 32) {
        return NODES.numberNode(value.intValue());
      }
      return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
    }
    return new ExactNumberNode(text);
  }

  /** The JSON text {@code node} (a number) is written with: as it arrived for numbers read here. */
  public static String numberText(JsonNode node) {
    if (node instanceof ExactNumberNode exact) {
      return exact.text();
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    if (node.isBigDecimal()) {
      return node.decimalValue().toString();
    }
    return node.asString();
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

  /**
   * True if both documents are the same to a reader of their JSON text: the same keys (in any order), strings,
   * literals, and numbers written the same — so {@code 1} and {@code 1.0} differ (an int and a float to Python),
   * and so do {@code 0.0} and {@code -0.0}.
   */
  public static boolean same(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_TEXT, b);
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
        // -0: an integer whose text is not its value's plain form
        case INT -> parser.getIntValue() == 0 && parser.getText().equals("-0") ? new ExactNumberNode("-0")
            : NODES.numberNode(parser.getIntValue());
        case LONG -> NODES.numberNode(parser.getLongValue());
        default -> NODES.numberNode(parser.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> new ExactNumberNode(parser.getText());
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
        if (node instanceof ExactNumberNode exact) {
          out.writeNumber(exact.text());
        } else if (node.isIntegralNumber()) {
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
