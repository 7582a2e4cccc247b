package ru.txix.isp.pywrapper.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the cluster client needs from the rest of the host. Config and host-list calls each come on an
 * ordered lane of their own, in the order the events arrived, never on the connection's reader.
 */
public interface ClusterHandler {

  /**
   * A remote config arrived ({@code event} is {@code CONFIG:SEND_CONFIG_WHEN_CONNECTED} or
   * {@code CONFIG:SEND_CONFIG_CHANGED}). Returns whether it was accepted.
   */
  boolean configReceived(String event, String data);

  /** True once some valid remote config is in effect (received in this session or an earlier one). */
  boolean validConfigInEffect();

  /** The full current address list of a required module ({@code host:port} each). */
  void hostsReceived(String module, List<String> hosts);

  /** Completes once the Python service accepts connections (after every config handed over so far). */
  CompletableFuture<Void> serviceAccepting();
}
