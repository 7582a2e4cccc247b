package ru.txix.isp.pywrapper;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The {@code logLevel} of a remote config, as isp-kit modules write it. A remote-config field of this type (or
 * a {@code String} field named {@code logLevel}) appears in the schema as a string enum of these names.
 */
public enum LogLevel {
  /** {@code debug}. */
  DEBUG,
  /** {@code info}. */
  INFO,
  /** {@code warn}. */
  WARN,
  /** {@code error}. */
  ERROR,
  /** {@code fatal} (the host logs at error level). */
  FATAL;

  /**
   * The name in a config.
   *
   * @return the lower-case name, e.g. {@code warn}
   */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The level named {@code name}, ignoring case and surrounding blanks.
   *
   * @param name e.g. {@code warn}
   * @return the level
   * @throws IllegalArgumentException if {@code name} is no level's name
   */
  @JsonCreator
  public static LogLevel fromWireName(String name) {
    return valueOf(name.strip().toUpperCase(Locale.ROOT));
  }
}
