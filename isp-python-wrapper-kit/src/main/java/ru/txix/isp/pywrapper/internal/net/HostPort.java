package ru.txix.isp.pywrapper.internal.net;

/** A host and a port, e.g. one config-service instance. */
public record HostPort(String host, int port) {
  @Override
  public String toString() {
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}
