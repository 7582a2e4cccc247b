package ru.txix.isp.pywrapper.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.Endpoint;

/**
 * The JSON the module sends and receives, field for field as isp-kit's {@code cluster} types write them
 * (first letter lower-cased, no {@code omitempty}: absent values are {@code null}).
 */
final class Payloads {
  private Payloads() {
  }

  /** {@code MODULE:SEND_REQUIREMENTS}. */
  @JsonPropertyOrder({"requiredModules", "requireRoutes"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ModuleRequirements(List<String> requiredModules, boolean requireRoutes) {
    public ModuleRequirements {
      requiredModules = List.copyOf(requiredModules);
    }
  }

  /** {@code MODULE:READY}. */
  @JsonPropertyOrder({"moduleName", "version", "libVersion", "transport", "endpoints", "requiredModules", "address",
      "metricsAutodiscovery"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record BackendDeclaration(String moduleName, String version, String libVersion, String transport,
                                   List<EndpointDescriptor> endpoints, List<ModuleDependency> requiredModules,
                                   AddressConfiguration address, MetricsAutodiscovery metricsAutodiscovery) {
  }

  /** One endpoint in {@code MODULE:READY}; {@code extra} is {@code null} when unset. */
  @JsonPropertyOrder({"path", "inner", "userAuthRequired", "httpMethod", "extra"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record EndpointDescriptor(String path, boolean inner, boolean userAuthRequired, String httpMethod,
                                   Map<String, Object> extra) {
    static EndpointDescriptor of(Endpoint endpoint) {
      return new EndpointDescriptor(endpoint.path(), endpoint.inner(), endpoint.userAuthRequired(),
          endpoint.httpMethod(), endpoint.extra());
    }
  }

  /** One required module in {@code MODULE:READY}. */
  @JsonPropertyOrder({"name", "required"})
  public record ModuleDependency(String name, boolean required) {
  }

  /** An address; the port is a string on the wire. */
  @JsonPropertyOrder({"ip", "port"})
  public record AddressConfiguration(String ip, String port) {
  }

  /** Where Prometheus finds the module's metrics. */
  @JsonPropertyOrder({"address", "labels"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record MetricsAutodiscovery(String address, Map<String, String> labels) {
  }
}
