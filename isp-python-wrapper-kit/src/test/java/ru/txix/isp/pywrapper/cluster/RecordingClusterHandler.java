package ru.txix.isp.pywrapper.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records configs and host lists; accepts configs that {@link #valid} accepts; readiness is set by hand. */
final class RecordingClusterHandler implements ClusterHandler {
  final List<String> configs = new CopyOnWriteArrayList<>();
  final List<String> hosts = new CopyOnWriteArrayList<>();
  volatile Predicate<String> valid = data -> !data.contains("invalid");
  volatile boolean validInEffect;
  volatile CompletableFuture<Void> accepting = CompletableFuture.completedFuture(null);

  @Override
  public boolean configReceived(String event, String data) {
    configs.add(event + " " + data);
    boolean ok = valid.test(data);
    validInEffect |= ok;
    return ok;
  }

  @Override
  public boolean validConfigInEffect() {
    return validInEffect;
  }

  @Override
  public void hostsReceived(String module, List<String> list) {
    hosts.add(module + "=" + list);
  }

  @Override
  public CompletableFuture<Void> serviceAccepting() {
    return accepting;
  }
}
