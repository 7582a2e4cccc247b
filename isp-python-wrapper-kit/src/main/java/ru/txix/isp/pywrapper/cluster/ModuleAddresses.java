package ru.txix.isp.pywrapper.cluster;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The data of {@code <module>_MODULE_CONNECTED}: {@code [{"ip":"10.0.0.7","port":"9011"}, ...]} (possibly
 * {@code []}), turned into {@code host:port} strings with IPv6 hosts in brackets, each once, in the order of its
 * first appearance. (A config-service cluster lists an address twice while a dead node's backend row is still
 * there beside the row of the module's new session.)
 */
final class ModuleAddresses {

  private ModuleAddresses() {
  }

  /** The list, without duplicates; {@link IllegalArgumentException} with the reason when the data is not one. */
  static List<String> parse(String data) {
    JsonNode root;
    try {
      root = JsonValues.read(data);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return List.of();
    }
    if (!root.isArray()) {
      throw new IllegalArgumentException("expected an array of {ip, port}, got " + root.getNodeType());
    }
    Set<String> hosts = new LinkedHashSet<>();
    for (JsonNode address : root) {
      JsonNode ip = field(address, "ip");
      JsonNode port = field(address, "port");
      if (ip == null || port == null || !(ip.isString()) || !(port.isString() || port.isNumber())) {
        throw new IllegalArgumentException("expected {\"ip\": string, \"port\": string}, got " + address);
      }
      String host = ip.asString();
      hosts.add((host.contains(":") ? "[" + host + "]" : host) + ":" + port.asString());
    }
    return List.copyOf(hosts);
  }

  /** The field named {@code name}, ignoring case (as Go's decoder does). */
  private static JsonNode field(JsonNode object, String name) {
    if (!object.isObject()) {
      return null;
    }
    for (var entry : object.properties()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        return entry.getValue();
      }
    }
    return null;
  }
}
