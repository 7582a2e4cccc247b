package ru.txix.isp.pywrapper.config;

import ru.txix.isp.pywrapper.internal.json.Secrets;
import tools.jackson.databind.JsonNode;

/** Hides secrets before a config is logged: {@link Secrets#mask}, under the name the config package's callers use. */
public final class SecretMasker {
  private SecretMasker() {
  }

  /** A copy of {@code config} with secret values replaced (see {@link Secrets#mask}). */
  public static JsonNode mask(JsonNode config) {
    return Secrets.mask(config);
  }
}
