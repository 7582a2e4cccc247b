package ru.txix.isp.pywrapper.internal.net;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Where the Python child listens: {@code grpcInnerAddress.ip} and {@code .port} of the local config.
 *
 * <p>{@link #toString()} is the value of {@code BINDING_ADDRESS} ({@code host:port}, an IPv6 host in
 * brackets). The host reaches the child on {@link #connectHost()}: a wildcard ({@code 0.0.0.0}, {@code ::} or
 * empty) is reached on loopback.
 */
public record BindingAddress(String host, int port) {
  public BindingAddress {
    requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
    }
  }

  /** The host to connect to: loopback for a wildcard host. */
  public String connectHost() {
    return switch (host) {
      case "", "0.0.0.0" -> "127.0.0.1";
      case "::", "[::]" -> "::1";
      default -> host;
    };
  }

  public InetSocketAddress connectAddress() {
    return new InetSocketAddress(connectHost(), port);
  }

  /** {@code http://<connectHost>:<port>} + {@code path}. */
  public URI httpUri(String path) {
    return URI.create("http://" + join(connectHost(), port) + path);
  }

  @Override
  public String toString() {
    return join(host, port);
  }

  private static String join(String host, int port) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return (bare.contains(":") ? "[" + bare + "]" : bare) + ":" + port;
  }
}
