package ru.txix.isp.pywrapper.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import ru.txix.isp.pywrapper.internal.OneLine;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads files that must hold one JSON object, with errors that name the file. Numbers are read without loss. */
public final class JsonFiles {

  private JsonFiles() {
  }

  /**
   * The object in {@code file}, or empty when the file does not exist.
   *
   * @param name how errors name the file, e.g. {@code conf/default_remote_config.json}
   * @param notAnObject the problem to report when the JSON is not an object
   * @throws ConfigException when the file cannot be read, is not JSON, or is not an object
   */
  public static Optional<JsonNode> readObject(Path file, String name, String notAnObject) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read the file: " + e, e);
    }
    JsonNode node;
    try {
      node = JsonValues.read(text);
    } catch (JacksonException e) {
      throw new ConfigException(name + ": invalid JSON: " + OneLine.of(e.getOriginalMessage())
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr()), e);
    }
    if (node == null || !node.isObject()) {
      throw new ConfigException(name + ": " + notAnObject);
    }
    return Optional.of(node);
  }
}
