package ru.txix.isp.pywrapper.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import ru.txix.isp.pywrapper.internal.net.HostPort;

/**
 * The host the module advertises when {@code grpcOuterAddress.ip} is empty: the local address the system
 * would use to reach the config service (a UDP "connect" picks the route; no packet is sent). Unlike isp-kit
 * an IPv6 address is returned as such, not as {@code <nil>}.
 */
final class AdvertisedHost {
  private AdvertisedHost() {
  }

  static String detect(HostPort configService) throws IOException {
    InetAddress target = InetAddress.getByName(configService.host());
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(new InetSocketAddress(target, configService.port()));
      InetAddress local = socket.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new IOException("no local address routes to " + configService);
      }
      String text = local.getHostAddress();
      return local instanceof Inet6Address && text.contains("%") ? text.substring(0, text.indexOf('%')) : text;
    }
  }
}
