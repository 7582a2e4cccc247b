package ru.txix.isp.pywrapper;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a module is: its version, its remote config, the HTTP endpoints of its Python service, the modules it
 * requires, and {@link WrapperOptions}. {@link PythonWrapper#run(ModuleSpec)} hosts it.
 *
 * <pre>{@code
 * ModuleSpec spec = ModuleSpec.builder("1.0.0")
 *     .remoteConfig(RemoteConfig.class)                     // or .remoteConfigSchema(Path.of("conf/schema.json"))
 *     .endpoints(List.of(Endpoint.post("/api/my-module/do")))
 *     .requiredModules(List.of("isp-auth-service"))
 *     .build();
 * PythonWrapper.run(spec);
 * }</pre>
 *
 * <p>The remote config is declared in one of three ways: a Java type (the JSON schema sent to the config service
 * is generated from it and every config is decoded into it and validated), a JSON schema file (sent as it is;
 * every config is checked against it; the file itself is checked against the JSON Schema meta-schema at
 * start), or nothing (any JSON object is accepted).
 *
 * <p>Immutable; build one with {@link #builder(String)}.
 */
public final class ModuleSpec {
  private final String version;
  private final Class<?> remoteConfigType;
  private final Path remoteConfigSchema;
  private final List<Endpoint> endpoints;
  private final List<String> requiredModules;
  private final WrapperOptions options;
  /** What is wrong with the files the module was declared in: reported when it is hosted. */
  private final List<String> problems;

  private ModuleSpec(Builder builder) {
    this.version = builder.version;
    this.remoteConfigType = builder.remoteConfigType;
    this.remoteConfigSchema = builder.remoteConfigSchema;
    this.endpoints = builder.endpoints;
    this.requiredModules = builder.requiredModules;
    this.options = builder.options;
    this.problems = builder.problems;
  }

  /**
   * A builder for a module of version {@code version}.
   *
   * @param version the module's version, sent to the config service
   * @return a new builder
   */
  public static Builder builder(String version) {
    return new Builder(version);
  }

  /**
   * A builder for the module as declared in files, the way the launcher hosts it: {@code conf/module.yml}
   * under {@code root} (optional: {@code version} — default {@code 0.0.0} —, {@code requiredModules},
   * {@code endpoints}) and {@code conf/remote_config_schema.json} (optional: the remote config's JSON schema;
   * without it any JSON object is accepted).
   *
   * <p>{@code conf/module.yml} is read now; a problem with it (invalid YAML, an unknown key, an endpoint without
   * {@code httpMethod}…) does not throw: it is reported when the module is hosted, together with every other
   * start-up problem (the local config, the schema file…), so that one run names them all, and the start ends
   * with exit code 1.
   *
   * @param root the Python project's root
   * @return a new builder
   */
  public static Builder fromFiles(Path root) {
    ModuleFile file = ModuleFile.read(root.resolve(ModuleFile.PATH), ModuleFile.PATH);
    Builder builder = new Builder(file.version).endpoints(file.endpoints).requiredModules(file.requiredModules);
    Path schema = root.resolve(ModuleFile.SCHEMA_PATH);
    if (Files.exists(schema)) {
      builder.remoteConfigSchema(schema.toAbsolutePath());
    }
    builder.problems = file.problems();
    return builder;
  }

  /** @return the module's version */
  public String version() {
    return version;
  }

  /** @return the Java type of the remote config, if declared by type */
  public Optional<Class<?>> remoteConfigType() {
    return Optional.ofNullable(remoteConfigType);
  }

  /** @return the JSON schema file of the remote config, if declared by a schema file */
  public Optional<Path> remoteConfigSchema() {
    return Optional.ofNullable(remoteConfigSchema);
  }

  /** @return the HTTP endpoints of the Python service */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** @return the modules whose addresses the Python service needs */
  public List<String> requiredModules() {
    return requiredModules;
  }

  /** @return the options */
  public WrapperOptions options() {
    return options;
  }

  /** What is wrong with the files the module was declared in ({@link #fromFiles}), one line each. */
  List<String> problems() {
    return problems;
  }

  @Override
  public String toString() {
    return "ModuleSpec[version=" + version + ", remoteConfig="
        + (remoteConfigType != null ? remoteConfigType.getName()
        : remoteConfigSchema != null ? remoteConfigSchema : "any object")
        + ", endpoints=" + endpoints + ", requiredModules=" + requiredModules + "]";
  }

  /** Builds a {@link ModuleSpec}. */
  public static final class Builder {
    private final String version;
    private Class<?> remoteConfigType;
    private Path remoteConfigSchema;
    private List<Endpoint> endpoints = List.of();
    private List<String> requiredModules = List.of();
    private WrapperOptions options = WrapperOptions.DEFAULTS;
    private List<String> problems = List.of();

    private Builder(String version) {
      requireNonNull(version, "version");
      if (version.isBlank()) {
        throw new IllegalArgumentException("version must not be blank");
      }
      this.version = version;
    }

    /**
     * Declares the remote config by a Java type (a record or class with Jackson names, Jakarta Validation
     * constraints and {@link ConfigDoc}). Replaces a schema file declared before.
     *
     * @param type the type; {@code null} accepts any JSON object
     * @return this builder
     */
    public Builder remoteConfig(Class<?> type) {
      this.remoteConfigType = type;
      this.remoteConfigSchema = null;
      return this;
    }

    /**
     * Declares the remote config by a JSON schema file (relative paths count from the Python project's root).
     * Replaces a type declared before.
     *
     * @param file the schema file
     * @return this builder
     */
    public Builder remoteConfigSchema(Path file) {
      this.remoteConfigSchema = requireNonNull(file, "file");
      this.remoteConfigType = null;
      return this;
    }

    /**
     * The HTTP endpoints of the Python service, declared to the platform so that the gateway routes to them.
     *
     * @param endpoints the endpoints; each needs an HTTP method
     * @return this builder
     */
    public Builder endpoints(List<Endpoint> endpoints) {
      this.endpoints = List.copyOf(endpoints);
      return this;
    }

    /**
     * The modules whose addresses the Python service needs ({@code POST /receive_module_addresses}).
     *
     * @param modules module names; duplicates are dropped
     * @return this builder
     */
    public Builder requiredModules(List<String> modules) {
      this.requiredModules = modules.stream().map(m -> requireNonNull(m, "module").strip()).distinct().toList();
      return this;
    }

    /**
     * The options.
     *
     * @param options the options
     * @return this builder
     */
    public Builder options(WrapperOptions options) {
      this.options = requireNonNull(options, "options");
      return this;
    }

    /** @return the spec */
    public ModuleSpec build() {
      return new ModuleSpec(this);
    }
  }
}
