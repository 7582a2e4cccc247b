package ru.txix.isp.pywrapper.app;

import java.util.Locale;
import java.util.Map;

/**
 * The two switches of isp-kit, read from the environment and compared ignoring case.
 *
 * @param dev {@code APP_MODE=dev}: human-readable logs at debug level, dev file locations
 * @param offline {@code CLUSTER_MODE=offline}: no config service; the remote config comes from a file
 */
record Modes(boolean dev, boolean offline) {
  public static final String APP_MODE = "APP_MODE";
  public static final String CLUSTER_MODE = "CLUSTER_MODE";

  public static Modes from(Map<String, String> environment) {
    return new Modes(is(environment, APP_MODE, "dev"), is(environment, CLUSTER_MODE, "offline"));
  }

  private static boolean is(Map<String, String> environment, String name, String value) {
    return value.equals(environment.getOrDefault(name, "").strip().toLowerCase(Locale.ROOT));
  }
}
