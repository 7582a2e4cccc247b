package ru.txix.isp.pywrapper;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The {@code logLevel} of a remote config, as isp-kit modules write it. A remote-config field of this type (or
 * a {@code String} field named {@code logLevel}) appears in the schema as a string enum of these names.
 */
public enum LogLevel {
  DEBUG, INFO, WARN, ERROR, FATAL;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static LogLevel fromWireName(String name) {
    return valueOf(name.strip().toUpperCase(Locale.ROOT));
  }
}
