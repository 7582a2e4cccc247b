package ru.txix.isp.pywrapper.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The keys of the local config, and the check that every key given is one of them.
 *
 * <p>The rule, and its levels:
 * <ul>
 *   <li>A section this host reads is closed — {@code configServiceAddress}, {@code grpcInnerAddress},
 *       {@code grpcOuterAddress}, {@code metricsAutodiscovery} (its {@code additionalLabels} are free),
 *       {@code python} (with {@code python.liveness}): a key in it that is not one of its keys is a start-up
 *       <b>error</b>, with the nearest known key ({@code python.restartDelai: unknown key (did you mean
 *       restartDelay?)}). A typo there would silently leave a setting at its default.
 *   <li>At the top level, a key a typo away from a known one ({@code infraServerPot}, {@code remoteConfigOveride},
 *       {@code grpcInnerAdress}) is an <b>error</b> too, with the known key it is near.
 *   <li>Any other top-level key is plainly a section of the user's own (or of another tool reading the file):
 *       isp-kit ignores unknown keys, so it is accepted, with a <b>warning</b> naming it (a typo too far from any
 *       key to be guessed still shows up in the log).
 *   <li>isp-kit's own keys that this host does not use ({@code logFile}, {@code logs}, {@code observability},
 *       {@code migrationsDirPath}, {@code httpOuterAddress}) are accepted as they are, their content unchecked.
 * </ul>
 * Keys match ignoring case, as everywhere in the local config. Environment variables are checked only where
 * they are plainly meant as keys: with {@code APP_CONFIG_ENV_PREFIX} set, or with a dot in the name
 * ({@code python.stopTimout}); without a prefix every variable of the environment is a key ({@code PATH},
 * {@code HOME}…), so the others are left alone.
 */
final class ConfigKeys {
  /** A key's children: a closed set ({@code children} non-null), or anything ({@code children} null). */
  private record Section(Map<String, Section> children) {
    static final Section LEAF = new Section(null);
    static final Section FREE = new Section(null);
  }

  private static final Section ROOT = section(Map.ofEntries(
      Map.entry("moduleName", Section.LEAF),
      Map.entry("configServiceAddress", section(Map.of("ip", Section.LEAF, "port", Section.LEAF))),
      Map.entry("grpcInnerAddress", section(Map.of("ip", Section.LEAF, "port", Section.LEAF))),
      Map.entry("grpcOuterAddress", section(Map.of("ip", Section.LEAF, "port", Section.LEAF))),
      Map.entry("remoteConfigOverride", Section.FREE),
      Map.entry("remoteConfigReceiverTimeout", Section.LEAF),
      Map.entry("defaultRemoteConfigPath", Section.LEAF),
      Map.entry("remoteConfigPath", Section.LEAF),
      Map.entry("infraServerPort", Section.LEAF),
      Map.entry("healthcheckHandlerTimeout", Section.LEAF),
      Map.entry("metricsAutodiscovery", section(Map.of("enable", Section.LEAF, "address", Section.LEAF,
          "additionalLabels", Section.FREE))),
      Map.entry("logFile", Section.FREE),
      Map.entry("logs", Section.FREE),
      Map.entry("observability", Section.FREE),
      Map.entry("migrationsDirPath", Section.LEAF),
      Map.entry("httpOuterAddress", Section.FREE),
      Map.entry("python", section(python()))));

  private ConfigKeys() {
  }

  private static Map<String, Section> python() {
    Map<String, Section> python = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String key : List.of("uv", "uvArgs", "restartDelay", "restartDelayMax", "backoffResetAfter", "maxRestarts",
        "startRetryDelay", "stopTimeout", "configRestartInterval", "readinessTimeout", "startTimeout",
        "startTimeoutAction", "socket", "readiness")) {
      python.put(key, Section.LEAF);
    }
    python.put("liveness", section(Map.of("path", Section.LEAF, "period", Section.LEAF, "timeout", Section.LEAF,
        "failureThreshold", Section.LEAF)));
    return python;
  }

  private static Section section(Map<String, Section> children) {
    Map<String, Section> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    sorted.putAll(children);
    return new Section(sorted);
  }

  /** Records a problem (or, for a section of the user's own, a warning) for every key that is not known. */
  static void check(FlatConfig config) {
    for (FlatConfig.Key key : config.givenKeys()) {
      if (!key.fromFile() && !key.prefixed() && key.spelling().indexOf('.') < 0) {
        continue; // an environment variable like any other
      }
      String[] segments = key.spelling().split("\\.");
      Section section = ROOT;
      StringBuilder path = new StringBuilder();
      for (int i = 0; i < segments.length && section.children() != null; i++) {
        String segment = segments[i];
        Section child = section.children().get(segment);
        if (child == null) {
          unknown(config, key, path, segment, section, i == 0);
          break;
        }
        path.append(segment).append('.');
        section = child;
      }
    }
  }

  private static void unknown(FlatConfig config, FlatConfig.Key key, StringBuilder parent, String segment,
                              Section section, boolean topLevel) {
    String name = parent + segment;
    if (!topLevel) {
      config.problem(name, UnknownKey.message(segment, section.children().keySet()));
      return;
    }
    Optional<String> nearest = UnknownKey.nearest(segment, section.children().keySet());
    if (nearest.isPresent()) {
      config.problem(name, "unknown key (did you mean " + nearest.get() + "?)");
    } else if (key.fromFile()) {
      config.warning(name, "unknown key, ignored: not a key of isp-kit or of this host (fine for a section of "
          + "your own)");
    }
  }
}
