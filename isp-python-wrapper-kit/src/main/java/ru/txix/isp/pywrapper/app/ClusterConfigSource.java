package ru.txix.isp.pywrapper.app;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.cluster.ClusterClient;
import ru.txix.isp.pywrapper.cluster.ClusterHandler;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.cluster.ClusterSettings;
import ru.txix.isp.pywrapper.cluster.ModuleDeclaration;
import ru.txix.isp.pywrapper.internal.config.RemoteConfigSink;
import ru.txix.isp.pywrapper.internal.net.HostPort;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;

/**
 * Cluster mode's remote config: the config-service session ({@link ClusterClient}). Configs go to the sink (the
 * intake), which answers each with its verdict; the required modules' host lists go to the supervisor;
 * {@code MODULE:READY} waits for the supervisor's child to accept connections. Stopping closes the session
 * normally (1000).
 */
final class ClusterConfigSource implements ConfigSource {
  private final List<HostPort> hosts;
  private final Supplier<ModuleDeclaration> declaration;
  private final RemoteConfigSink configs;
  private final PySupervisor supervisor;
  private final ClusterListener listener;
  private final ClusterSettings settings;
  private volatile ClusterClient client;

  /** {@code declaration} is built on start (a typed config's schema is generated then). */
  ClusterConfigSource(List<HostPort> hosts, Supplier<ModuleDeclaration> declaration, RemoteConfigSink configs,
                      PySupervisor supervisor, ClusterListener listener, ClusterSettings settings) {
    this.hosts = List.copyOf(hosts);
    this.declaration = declaration;
    this.configs = configs;
    this.supervisor = supervisor;
    this.listener = listener;
    this.settings = settings;
  }

  @Override
  public String name() {
    return "config-service session";
  }

  @Override
  public void start() {
    ClusterClient started = new ClusterClient(hosts, declaration.get(), configs, new Handler(), listener,
        settings);
    client = started;
    started.start();
  }

  @Override
  public void stop() {
    ClusterClient current = client;
    if (current != null) {
      current.close();
    }
  }

  @Override
  public boolean sessionActive() {
    ClusterClient current = client;
    return current != null && current.sessionActive();
  }

  @Override
  public Optional<String> inactiveReason() {
    ClusterClient current = client;
    return current != null ? current.inactiveReason() : Optional.of("session inactive");
  }

  /** What the session hands to the supervisor. */
  private final class Handler implements ClusterHandler {
    @Override
    public void hostsReceived(String module, List<String> list) {
      supervisor.hostsReceived(module, list);
    }

    @Override
    public CompletableFuture<Void> serviceAccepting() {
      return supervisor.awaitRunning();
    }
  }
}
