package ru.txix.isp.pywrapper.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the cluster client needs from the Python service's side besides the configs (those go to a
 * {@code RemoteConfigSink}). Host lists come on an ordered lane of their own, in the order the events arrived,
 * never on the connection's reader.
 */
public interface ClusterHandler {

  /** The full current address list of a required module ({@code host:port} each). */
  void hostsReceived(String module, List<String> hosts);

  /** Completes once the Python service accepts connections (after every config handed over so far). */
  CompletableFuture<Void> serviceAccepting();
}
