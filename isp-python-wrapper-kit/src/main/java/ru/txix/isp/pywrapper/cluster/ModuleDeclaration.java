package ru.txix.isp.pywrapper.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.Endpoint;
import tools.jackson.databind.JsonNode;

/**
 * What the module tells the config service about itself.
 *
 * @param moduleName the module's name
 * @param version the module's version
 * @param libVersion this library's version ({@code libVersion} in {@code MODULE:READY})
 * @param endpoints the HTTP endpoints of the Python service
 * @param requiredModules modules whose addresses the Python service needs
 * @param outerIp the advertised host; empty to detect the local address towards the config service
 * @param outerPort the advertised port ({@code grpcOuterAddress.port})
 * @param metrics metrics autodiscovery, or null when disabled
 * @param schema the remote config's JSON schema
 * @param defaultConfig the default remote config (a JSON object)
 */
public record ModuleDeclaration(String moduleName, String version, String libVersion, List<Endpoint> endpoints,
                                List<String> requiredModules, String outerIp, int outerPort, Metrics metrics,
                                JsonNode schema, JsonNode defaultConfig) {
  public ModuleDeclaration {
    requireNonNull(moduleName, "moduleName");
    requireNonNull(version, "version");
    requireNonNull(libVersion, "libVersion");
    endpoints = List.copyOf(endpoints);
    requiredModules = List.copyOf(requiredModules);
    requireNonNull(outerIp, "outerIp");
    requireNonNull(schema, "schema");
    requireNonNull(defaultConfig, "defaultConfig");
  }

  /**
   * {@code metricsAutodiscovery} of the local config, when enabled.
   *
   * @param address the scrape address, or empty for {@code <advertised host>:<infraPort>}
   * @param infraPort the infra server's port
   * @param additionalLabels labels added to (or replacing) {@code app} and {@code __metrics_path__}
   */
  public record Metrics(String address, int infraPort, Map<String, String> additionalLabels) {
    public Metrics {
      additionalLabels = Map.copyOf(additionalLabels);
    }
  }
}
