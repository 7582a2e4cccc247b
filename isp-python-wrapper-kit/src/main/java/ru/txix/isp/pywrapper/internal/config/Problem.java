package ru.txix.isp.pywrapper.internal.config;

import static java.util.Objects.requireNonNull;

/**
 * What is wrong with one field of a config.
 *
 * @param field where: a dotted path ({@code database.port}), a JSON pointer ({@code /database/port}) from a
 *     schema, or {@code ""} for the whole document
 * @param message what, e.g. {@code must be greater than or equal to 1}
 */
public record Problem(String field, String message) {
  public Problem {
    requireNonNull(field, "field");
    requireNonNull(message, "message");
  }

  /** {@code field: message}, or the message alone for the whole document. */
  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
