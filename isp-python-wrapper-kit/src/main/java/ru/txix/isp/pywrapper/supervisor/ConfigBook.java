package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.util.Optional;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.databind.JsonNode;

/**
 * Which config is which, for the supervisor: the last one received ({@code desired}) and the one the config file
 * holds ({@code written}); each child keeps the one it read at its start. Two configs are the same when a reader
 * of the file would see no difference: keys in any order, numbers by their text ({@code -0.0} is not
 * {@code 0.0}, {@code 1} not {@code 1.0}: {@link JsonValues#same}). Confined to the supervisor thread.
 */
final class ConfigBook {
  private final ConfigFile file;
  private JsonNode desired;
  private JsonNode written;

  ConfigBook(ConfigFile file) {
    this.file = file;
  }

  /** True if {@code config} is the last one received and it is already in the file: nothing to do. */
  boolean unchanged(JsonNode config) {
    return JsonValues.same(config, desired) && fileCurrent();
  }

  void receive(JsonNode config) {
    desired = config;
  }

  /** True when the file holds the last config received (or none was received yet). */
  boolean fileCurrent() {
    return desired == null || JsonValues.same(desired, written);
  }

  /** True once some config is in the file, so a child can start. */
  boolean anyWritten() {
    return written != null;
  }

  /** What a child started now reads. */
  JsonNode written() {
    return written;
  }

  /** True when {@code config} (what a child runs) is the last config received. */
  boolean isDesired(JsonNode config) {
    return JsonValues.same(desired, config);
  }

  /** Writes the last config received; the error when the file cannot be written. */
  Optional<String> write() {
    try {
      file.write(JsonValues.bytes(desired));
      written = desired;
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot write config file " + file + ": " + e);
    }
  }
}
