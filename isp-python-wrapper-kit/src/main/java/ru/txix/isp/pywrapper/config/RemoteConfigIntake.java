package ru.txix.isp.pywrapper.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.json.Secrets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The one path of a remote config, from what arrived (a config-service event or the offline file) to the
 * Python child: parsed once without loss, merged with {@code remoteConfigOverride}, checked (the declared type
 * or schema, and {@code logLevel}), logged once with secrets masked, and handed to the {@link Target}. An
 * invalid config is reported field by field and changes nothing: the child keeps its previous config. Never
 * throws for bad input.
 *
 * <p>Called on one thread at a time (the cluster client's config lane, or the offline watcher).
 */
public final class RemoteConfigIntake {
  private static final Logger log = LoggerFactory.getLogger(RemoteConfigIntake.class);

  /** Where accepted configs go. */
  public interface Target {
    /**
     * A valid config (merged with the override) arrived.
     *
     * @param logLevel its {@code logLevel}, lower-cased, if it sets one
     */
    void configAccepted(JsonNode config, Optional<String> logLevel);
  }

  /** A parsed document: a JSON object, or why it is not one. */
  public sealed interface Parsed {
  }

  /** A JSON object. */
  public record Document(JsonNode config) implements Parsed {
  }

  /** Not a JSON object; {@code reason} says why. */
  public record Unparsable(String reason) implements Parsed {
  }

  private final RemoteConfigOverride override;
  private final RemoteConfigValidator validator;
  private final KeyCaseCheck keyCase;
  private final RemoteConfigStatus status;
  private final Target target;

  public RemoteConfigIntake(RemoteConfigOverride override, RemoteConfigValidator validator, KeyCaseCheck keyCase,
                            RemoteConfigStatus status, Target target) {
    this.override = requireNonNull(override, "override");
    this.validator = RemoteConfigValidator.all(new LogLevelCheck(), requireNonNull(validator, "validator"));
    this.keyCase = requireNonNull(keyCase, "keyCase");
    this.status = requireNonNull(status, "status");
    this.target = requireNonNull(target, "target");
  }

  /** Parses {@code text} as a config document. */
  public static Parsed parse(String text) {
    try {
      return document(JsonValues.read(text));
    } catch (JacksonException e) {
      return unparsable(e);
    }
  }

  /** Parses {@code bytes} (UTF-8) as a config document. */
  public static Parsed parse(byte[] bytes) {
    try {
      return document(JsonValues.read(bytes));
    } catch (JacksonException e) {
      return unparsable(e);
    }
  }

  /** Takes a config that arrived as text from {@code source}; true if it was accepted. */
  public boolean accept(String source, String text) {
    return accept(source, parse(text));
  }

  /** Takes a parsed config from {@code source}; true if it was accepted. */
  public boolean accept(String source, Parsed parsed) {
    if (parsed instanceof Unparsable unparsable) {
      reject(source, unparsable.reason());
      return false;
    }
    JsonNode merged = override.apply(((Document) parsed).config());
    List<Problem> problems = validator.problems(merged);
    if (!problems.isEmpty()) {
      reject(source, "invalid config: " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
      return false;
    }
    Optional<String> level = LogLevelCheck.levelOf(merged);
    log.atInfo().addKeyValue("source", source).addKeyValue("logLevel", level.orElse(""))
        .addKeyValue("config", Secrets.mask(merged)).log("remote config accepted");
    status.accepted();
    target.configAccepted(merged, level);
    List<String> mismatches = keyCase.mismatches(merged);
    if (!mismatches.isEmpty()) {
      log.atWarn().addKeyValue("source", source).log("remote config keys differ from the declared fields only in "
          + "case (accepted; the Python service reads the keys as written): " + String.join(", ", mismatches));
    }
    return true;
  }

  private void reject(String source, String reason) {
    boolean previous = status.validInEffect();
    status.rejected(reason);
    log.atError().addKeyValue("source", source).log("remote config rejected (" + source + "): " + reason
        + (previous ? "; the python service keeps running on its previous config"
            : "; no valid config yet, the python service is not started"));
  }

  private static Parsed document(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return new Unparsable("empty document: expected a JSON object");
    }
    if (!node.isObject()) {
      return new Unparsable("expected a JSON object, got " + node.getNodeType().name().toLowerCase());
    }
    return new Document(node);
  }

  private static Unparsable unparsable(JacksonException e) {
    return new Unparsable("invalid JSON: " + OneLine.of(e.getOriginalMessage())
        + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr()));
  }
}
