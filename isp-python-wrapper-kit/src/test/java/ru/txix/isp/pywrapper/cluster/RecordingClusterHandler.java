package ru.txix.isp.pywrapper.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import ru.txix.isp.pywrapper.internal.config.ConfigDocument;
import ru.txix.isp.pywrapper.internal.config.Problem;
import ru.txix.isp.pywrapper.internal.config.RemoteConfigSink;
import ru.txix.isp.pywrapper.internal.config.Verdict;
import ru.txix.isp.pywrapper.internal.json.JsonValues;

/**
 * Records configs (as the JSON text of the tree received) and host lists; accepts configs whose text {@link #valid}
 * accepts; readiness is set by hand.
 */
final class RecordingClusterHandler implements ClusterHandler, RemoteConfigSink {
  final List<String> configs = new CopyOnWriteArrayList<>();
  final List<String> hosts = new CopyOnWriteArrayList<>();
  volatile Predicate<String> valid = data -> !data.contains("invalid");
  volatile CompletableFuture<Void> accepting = CompletableFuture.completedFuture(null);

  @Override
  public Verdict configReceived(String event, ConfigDocument config) {
    String text = config instanceof ConfigDocument.Json json ? JsonValues.text(json.config())
        : ((ConfigDocument.Unparsable) config).reason();
    configs.add(event + " " + text);
    return config instanceof ConfigDocument.Json && valid.test(text) ? Verdict.ACCEPTED
        : new Verdict.Rejected(List.of(new Problem("", "invalid")));
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
