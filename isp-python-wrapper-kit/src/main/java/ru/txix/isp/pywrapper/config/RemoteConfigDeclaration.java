package ru.txix.isp.pywrapper.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** How a module declares its remote config: not at all, by a Java type, or by a JSON schema file. */
public sealed interface RemoteConfigDeclaration {

  /** Any JSON object is accepted; the schema sent is {@code {"type":"object","title":"Remote config"}}. */
  record AnyObject() implements RemoteConfigDeclaration {
  }

  /** A Java type: the schema is generated from it; configs are decoded into it and validated. */
  record Typed(Class<?> type) implements RemoteConfigDeclaration {
    public Typed {
      requireNonNull(type, "type");
    }
  }

  /** A JSON schema file (relative to the project's root): sent as it is; configs are checked against it. */
  record SchemaFile(Path file) implements RemoteConfigDeclaration {
    public SchemaFile {
      requireNonNull(file, "file");
    }
  }
}
