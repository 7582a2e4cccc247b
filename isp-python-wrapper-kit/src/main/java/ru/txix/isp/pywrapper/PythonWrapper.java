package ru.txix.isp.pywrapper;

import java.util.List;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.app.AppSpec;
import ru.txix.isp.pywrapper.app.Application;
import ru.txix.isp.pywrapper.app.LogbackDefaults;
import ru.txix.isp.pywrapper.app.Warmup;
import ru.txix.isp.pywrapper.config.RemoteConfigDeclaration;
import ru.txix.isp.pywrapper.internal.LibraryVersion;

/**
 * Hosts the Python service in the working directory ({@code uv run main.py}) as a module of the ISP platform:
 * one call in {@code main}, like the Go kit's {@code Main[T](version, remoteConfig, endpoints, requiredModules)}.
 *
 * <pre>{@code
 * // a service without endpoints
 * public static void main(String[] args) {
 *   PythonWrapper.run("1.0.0", RemoteConfig.class);
 * }
 *
 * // a service with endpoints (the gateway routes them to the Python service)
 * public static void main(String[] args) {
 *   PythonWrapper.run("1.0.0", RemoteConfig.class, List.of(
 *       Endpoint.post("/api/my-module/do"),
 *       Endpoint.get("/api/my-module/report").withAdminPermission("report_view")));
 * }
 *
 * // a service with required modules (their addresses reach POST /receive_module_addresses)
 * public static void main(String[] args) {
 *   PythonWrapper.run("1.0.0", RemoteConfig.class, List.of(), List.of("isp-auth-service"));
 * }
 * }</pre>
 *
 * <p>{@code RemoteConfig} is a record or class describing the remote config: its JSON schema (Jackson names,
 * Jakarta Validation constraints, {@link ConfigDoc}) is sent to the config service, and every config is decoded
 * into it and validated before the Python service gets it. Pass {@code null} to accept any JSON object.
 *
 * <p>{@code run} blocks until SIGTERM or SIGINT, stops the Python service, and exits the JVM: 0 after a clean
 * shutdown, 1 after a start-up error (a missing or invalid file, one log line says which) or a second signal.
 * {@link #execute} does the same but returns the exit code. The local config is {@code conf/config.yml}; with
 * {@code CLUSTER_MODE=offline} the remote config comes from {@code conf/config.json} instead of the config
 * service. Knobs: {@link WrapperOptions}. A module declared as a value — a JSON schema file instead of a type,
 * say — is a {@link ModuleSpec}: {@code PythonWrapper.run(ModuleSpec.builder("1.0.0")...build())}.
 */
public final class PythonWrapper {

  private PythonWrapper() {
  }

  /**
   * Starts loading, on background threads, the native layer that spawns and signals the Python process and
   * the readers of the configuration files (together some 150 ms of a cold JVM's time), so that they are ready
   * when hosting begins. {@code run} and {@code execute} do this themselves; a {@code main} that first reads
   * its module's declaration (files, say) calls it first, so that both happen at once. Optional, idempotent.
   */
  public static void preload() {
    Warmup.start();
  }

  /**
   * This kit's version, e.g. {@code 1.0.0} (sent to the config service as the module's {@code libVersion},
   * {@code v1.0.0}, the form the platform shows for Go modules).
   *
   * @return the version
   */
  public static String version() {
    return LibraryVersion.get();
  }

  /**
   * A service without endpoints or required modules. Never returns.
   *
   * @param version the module's version
   * @param remoteConfig the remote config's type, or {@code null} for any JSON object
   */
  public static void run(String version, Class<?> remoteConfig) {
    run(version, remoteConfig, List.of(), List.of(), WrapperOptions.DEFAULTS);
  }

  /**
   * A service with endpoints. Never returns.
   *
   * @param version the module's version
   * @param remoteConfig the remote config's type, or {@code null} for any JSON object
   * @param endpoints the Python service's HTTP endpoints
   */
  public static void run(String version, Class<?> remoteConfig, List<Endpoint> endpoints) {
    run(version, remoteConfig, endpoints, List.of(), WrapperOptions.DEFAULTS);
  }

  /**
   * A service with endpoints and required modules. Never returns.
   *
   * @param version the module's version
   * @param remoteConfig the remote config's type, or {@code null} for any JSON object
   * @param endpoints the Python service's HTTP endpoints
   * @param requiredModules the modules whose addresses the Python service needs
   */
  public static void run(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                         List<String> requiredModules) {
    run(version, remoteConfig, endpoints, requiredModules, WrapperOptions.DEFAULTS);
  }

  /**
   * The same with options. Never returns.
   *
   * @param version the module's version
   * @param remoteConfig the remote config's type, or {@code null} for any JSON object
   * @param endpoints the Python service's HTTP endpoints
   * @param requiredModules the modules whose addresses the Python service needs
   * @param options the options
   */
  public static void run(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                         List<String> requiredModules, WrapperOptions options) {
    run(spec(version, remoteConfig, endpoints, requiredModules, options));
  }

  /**
   * Hosts the module {@code spec} describes. Never returns.
   *
   * @param spec the module
   */
  public static void run(ModuleSpec spec) {
    int code = execute(spec);
    LogbackDefaults.close(); // the run's last line stays the last
    System.exit(code);
  }

  /**
   * Runs until shut down and returns the exit code instead of exiting.
   *
   * @param version the module's version
   * @param remoteConfig the remote config's type, or {@code null} for any JSON object
   * @param endpoints the Python service's HTTP endpoints
   * @param requiredModules the modules whose addresses the Python service needs
   * @param options the options
   * @return 0 after a graceful shutdown, 1 after a start-up error or a second signal
   */
  public static int execute(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                            List<String> requiredModules, WrapperOptions options) {
    return execute(spec(version, remoteConfig, endpoints, requiredModules, options));
  }

  /**
   * Hosts the module {@code spec} describes until shut down and returns the exit code: the entry point of the
   * launcher, which declares the module in {@code conf/} files.
   *
   * @param spec the module
   * @return 0 after a graceful shutdown, 1 after a start-up error or a second signal
   */
  public static int execute(ModuleSpec spec) {
    if (Thread.getDefaultUncaughtExceptionHandler() == null) {
      // An exception no thread caught is logged as a line like any other, not printed raw on stderr.
      Thread.setDefaultUncaughtExceptionHandler((thread, e) -> LoggerFactory.getLogger(PythonWrapper.class)
          .atError().setCause(e).log("uncaught exception in thread " + thread.getName() + ": " + e));
    }
    Warmup.start();
    Warmup.startLogging(); // while the files are read; Application waits for it before its first line
    if (spec.remoteConfigSchema().isPresent()) {
      Warmup.schemaTools();
    }
    WrapperOptions options = spec.options();
    RemoteConfigDeclaration remoteConfig = spec.remoteConfigType()
        .<RemoteConfigDeclaration>map(RemoteConfigDeclaration.Typed::new)
        .or(() -> spec.remoteConfigSchema().map(RemoteConfigDeclaration.SchemaFile::new))
        .orElse(new RemoteConfigDeclaration.AnyObject());
    AppSpec app = new AppSpec(spec.version(), remoteConfig, spec.endpoints(), spec.requiredModules(),
        options.environment(), options.workingDirectory(), options, spec.problems());
    int code;
    try {
      code = new Application(app).run();
    } catch (RuntimeException | Error e) {
      Warmup.awaitLogging();
      LoggerFactory.getLogger(PythonWrapper.class).atError().setCause(e).log("the host failed: " + e);
      code = Application.EXIT_ERROR;
    }
    LogbackDefaults.flush();
    return code;
  }

  private static ModuleSpec spec(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                                 List<String> requiredModules, WrapperOptions options) {
    return ModuleSpec.builder(version).remoteConfig(remoteConfig).endpoints(endpoints)
        .requiredModules(requiredModules).options(options).build();
  }
}
