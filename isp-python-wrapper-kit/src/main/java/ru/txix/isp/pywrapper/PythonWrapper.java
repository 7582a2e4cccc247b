package ru.txix.isp.pywrapper;

import java.util.List;
import ru.txix.isp.pywrapper.app.AppSpec;
import ru.txix.isp.pywrapper.app.Application;
import ru.txix.isp.pywrapper.app.LogbackDefaults;
import ru.txix.isp.pywrapper.config.RemoteConfigSchema;
import ru.txix.isp.pywrapper.config.RemoteConfigValidator;
import ru.txix.isp.pywrapper.config.TypedConfigValidator;
import tools.jackson.databind.json.JsonMapper;

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
 * service. Knobs: {@link WrapperOptions}.
 */
public final class PythonWrapper {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private PythonWrapper() {
  }

  /** A service without endpoints or required modules. Never returns. */
  public static void run(String version, Class<?> remoteConfig) {
    run(version, remoteConfig, List.of(), List.of(), WrapperOptions.DEFAULTS);
  }

  /** A service with endpoints. Never returns. */
  public static void run(String version, Class<?> remoteConfig, List<Endpoint> endpoints) {
    run(version, remoteConfig, endpoints, List.of(), WrapperOptions.DEFAULTS);
  }

  /** A service with endpoints and required modules. Never returns. */
  public static void run(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                         List<String> requiredModules) {
    run(version, remoteConfig, endpoints, requiredModules, WrapperOptions.DEFAULTS);
  }

  /** The same with options. Never returns. */
  public static void run(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                         List<String> requiredModules, WrapperOptions options) {
    int code = execute(version, remoteConfig, endpoints, requiredModules, options);
    System.exit(code);
  }

  /** Runs until shut down and returns the exit code instead of exiting. */
  public static int execute(String version, Class<?> remoteConfig, List<Endpoint> endpoints,
                            List<String> requiredModules, WrapperOptions options) {
    String schema = JSON.writeValueAsString(remoteConfig == null ? RemoteConfigSchema.anyObject(JSON)
        : RemoteConfigSchema.of(remoteConfig));
    RemoteConfigValidator validator = remoteConfig == null ? RemoteConfigValidator.NONE
        : new TypedConfigValidator<>(remoteConfig);
    AppSpec spec = new AppSpec(version, schema, validator, endpoints, requiredModules, options.environment(),
        options.workingDirectory(), options.python());
    int code = new Application(spec).run();
    LogbackDefaults.flush();
    return code;
  }

}
