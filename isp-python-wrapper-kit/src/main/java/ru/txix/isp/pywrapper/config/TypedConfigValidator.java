package ru.txix.isp.pywrapper.config;

import static java.util.Objects.requireNonNull;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import ru.txix.isp.pywrapper.internal.OneLine;
import ru.txix.isp.pywrapper.internal.config.Problem;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks a remote config against a Java type: decodes it (field names ignoring case, unknown fields ignored,
 * as isp-kit does), then runs Jakarta Validation. Each problem names the field and says why, e.g.
 * {@code poolSize: must be greater than or equal to 1}.
 */
final class TypedConfigValidator<T> implements RemoteConfigValidator {
  private static final JsonMapper DECODER = JsonMapper.builder()
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();
  private static final int MAX_DECODE_ATTEMPTS = 32;
  private static final ValidatorFactory FACTORY = Validation.byDefaultProvider().configure()
      .messageInterpolator(new ParameterMessageInterpolator())
      .buildValidatorFactory();

  private final Class<T> type;
  private final Validator validator = FACTORY.getValidator();

  public TypedConfigValidator(Class<T> type) {
    this.type = requireNonNull(type, "type");
  }

  public Class<T> type() {
    return type;
  }

  /**
   * A field that cannot be decoded is reported, left out, and decoding tried again, so that one bad field
   * does not hide the others; validation then runs on what could be decoded.
   */
  @Override
  public List<Problem> problems(JsonNode config) {
    List<Problem> problems = new ArrayList<>();
    JsonNode remaining = config.deepCopy();
    T value = null;
    for (int attempt = 0; attempt < MAX_DECODE_ATTEMPTS && value == null; attempt++) {
      try {
        value = DECODER.treeToValue(remaining, type);
      } catch (DatabindException e) {
        problems.add(new Problem(path(e), OneLine.of(e.getOriginalMessage())));
        if (!remove(remaining, e)) {
          return problems;
        }
      } catch (RuntimeException e) {
        problems.add(new Problem("", "cannot be read as " + type.getSimpleName() + ": " + OneLine.of(e.getMessage())));
        return problems;
      }
    }
    if (value == null) {
      return problems;
    }
    List<String> undecodable = problems.stream().map(Problem::field).toList();
    List<Problem> violations = new ArrayList<>();
    for (ConstraintViolation<T> violation : validator.validate(value)) {
      String field = violation.getPropertyPath().toString();
      if (!undecodable.contains(field)) { // a field left out above is not reported twice
        violations.add(new Problem(field, violation.getMessage()));
      }
    }
    violations.stream().sorted(Comparator.comparing(Problem::field).thenComparing(Problem::message))
        .forEach(problems::add);
    return problems;
  }

  /** Removes the node {@code e} points at; false if there is none to remove. */
  private static boolean remove(JsonNode root, DatabindException e) {
    List<DatabindException.Reference> path = e.getPath();
    if (path.isEmpty()) {
      return false;
    }
    JsonNode parent = root;
    for (DatabindException.Reference reference : path.subList(0, path.size() - 1)) {
      parent = reference.getPropertyName() != null ? field(parent, reference.getPropertyName())
          : parent.get(reference.getIndex());
      if (parent == null) {
        return false;
      }
    }
    DatabindException.Reference last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode object && last.getPropertyName() != null) {
      String key = object.propertyNames().stream().filter(k -> k.equalsIgnoreCase(last.getPropertyName()))
          .findFirst().orElse(null);
      return key != null && object.remove(key) != null;
    }
    if (parent instanceof ArrayNode array && last.getIndex() >= 0 && last.getIndex() < array.size()) {
      array.set(last.getIndex(), NullNode.getInstance());
      return true;
    }
    return false;
  }

  private static JsonNode field(JsonNode object, String name) {
    return object.propertyNames().stream().filter(k -> k.equalsIgnoreCase(name)).findFirst()
        .map(object::get).orElse(null);
  }

  private static String path(DatabindException e) {
    StringBuilder path = new StringBuilder();
    e.getPath().forEach(reference -> {
      if (reference.getPropertyName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getPropertyName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    });
    return path.toString();
  }
}
