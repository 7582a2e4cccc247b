package ru.txix.isp.pywrapper.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.config.ConfigDocument;
import ru.txix.isp.pywrapper.internal.config.Problem;
import ru.txix.isp.pywrapper.internal.config.RemoteConfigSink;
import ru.txix.isp.pywrapper.internal.config.Verdict;
import ru.txix.isp.pywrapper.internal.json.Secrets;
import tools.jackson.databind.JsonNode;

/**
 * The one path of a remote config, from where it arrived (a config-service session or the offline file, each of
 * which parsed it once, {@link ConfigDocument}) to the Python child: merged with {@code remoteConfigOverride},
 * checked (the declared type or schema, and {@code logLevel}), logged once with secrets masked, and handed to the
 * {@link Target}; the answer is the {@link Verdict}. An invalid config is reported field by field and changes
 * nothing: the child keeps its previous config. Never throws for bad input.
 *
 * <p>Called on one thread at a time (the cluster client's config lane, or the offline watcher).
 */
public final class RemoteConfigIntake implements RemoteConfigSink {
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

  @Override
  public Verdict configReceived(String source, ConfigDocument document) {
    if (document instanceof ConfigDocument.Unparsable unparsable) {
      reject(source, unparsable.reason());
      return new Verdict.Rejected(List.of(new Problem("", unparsable.reason())));
    }
    JsonNode merged = override.apply(((ConfigDocument.Json) document).config());
    List<Problem> problems = validator.problems(merged);
    if (!problems.isEmpty()) {
      Verdict.Rejected rejected = new Verdict.Rejected(problems);
      reject(source, "invalid config: " + rejected.reason());
      return rejected;
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
    return Verdict.ACCEPTED;
  }

  private void reject(String source, String reason) {
    boolean previous = status.validInEffect();
    status.rejected(reason);
    log.atError().addKeyValue("source", source).log("remote config rejected (" + source + "): " + reason
        + (previous ? "; the python service keeps running on its previous config"
            : "; no valid config yet, the python service is not started"));
  }
}
