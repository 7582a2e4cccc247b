package ru.txix.isp.pywrapper.app;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.supervisor.RestartCause;
import ru.txix.isp.pywrapper.supervisor.SupervisorListener;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import ru.txix.isp.pywrapper.supervisor.SupervisorState;

/**
 * The host's Prometheus metrics: the JVM's and the process's (client_java's instrumentation) and these:
 *
 * <ul>
 *   <li>{@code python_process_up} — 1 while the child accepts connections;
 *   <li>{@code python_process_starts_total}, {@code python_process_restarts_total{cause}} (cause:
 *       {@code config_changed}, {@code exited}, {@code start_failed}, {@code liveness}, {@code start_timeout});
 *   <li>{@code python_process_backoff_seconds} — the wait before the next start while backing off, else 0;
 *   <li>{@code python_process_last_exit_code}, {@code python_process_start_time_seconds};
 *   <li>{@code remote_config_applied_total{result}} (result: {@code accepted}, {@code rejected});
 *   <li>{@code module_addresses_delivered_total{module,result}} (result: {@code delivered}, {@code failed},
 *       per attempt);
 *   <li>{@code config_service_session_up}, {@code config_service_reconnects_total} (cluster mode).
 * </ul>
 *
 * Gauges and counters read the supervisor's snapshot and plain counters at scrape time, so they cannot drift
 * from them. The Prometheus registry — with the JVM metrics, a few hundred classes — is built at the first
 * scrape: counting costs nothing on the host's start-up path.
 */
final class SupervisorMetrics {
  private final Supplier<SupervisorSnapshot> supervisor;
  private final RemoteConfigStatus remoteConfig;
  private final BooleanSupplier sessionActive;
  private final boolean clusterMode;
  /** Address deliveries by (module, result). */
  private final Map<List<String>, AtomicLong> deliveries = new ConcurrentHashMap<>();
  private final AtomicLong sessions = new AtomicLong();
  private PrometheusRegistry registry;

  SupervisorMetrics(Supplier<SupervisorSnapshot> supervisor, RemoteConfigStatus remoteConfig,
                           BooleanSupplier sessionActive, boolean clusterMode) {
    this.supervisor = supervisor;
    this.remoteConfig = remoteConfig;
    this.sessionActive = sessionActive;
    this.clusterMode = clusterMode;
  }

  /** The registry with every metric; built at the first call. */
  synchronized PrometheusRegistry registry() {
    if (registry == null) {
      registry = build();
    }
    return registry;
  }

  private PrometheusRegistry build() {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    GaugeWithCallback.builder().name("python_process_up")
        .help("1 while the Python child accepts connections on BINDING_ADDRESS, else 0")
        .callback(cb -> cb.call(supervisor.get().state() == SupervisorState.RUNNING ? 1 : 0))
        .register(registry);
    CounterWithCallback.builder().name("python_process_starts_total")
        .help("Python children spawned")
        .callback(cb -> cb.call(supervisor.get().starts()))
        .register(registry);
    CounterWithCallback.builder().name("python_process_restarts_total")
        .help("Start attempts after the first, by cause").labelNames("cause")
        .callback(cb -> {
          SupervisorSnapshot snapshot = supervisor.get();
          for (RestartCause cause : RestartCause.values()) {
            cb.call(snapshot.restarts().getOrDefault(cause, 0L), cause.label());
          }
        })
        .register(registry);
    GaugeWithCallback.builder().name("python_process_backoff_seconds")
        .help("While the supervisor waits to start the Python child again: the whole wait, in seconds; else 0")
        .callback(cb -> {
          SupervisorSnapshot.Backoff backoff = supervisor.get().backoff();
          cb.call(backoff == null ? 0 : backoff.delay().toMillis() / 1000.0);
        })
        .register(registry);
    GaugeWithCallback.builder().name("python_process_last_exit_code")
        .help("Exit code of the last Python child that exited (128+N: killed by signal N)")
        .callback(cb -> {
          SupervisorSnapshot.LastExit exit = supervisor.get().lastExit();
          if (exit != null) {
            cb.call(exit.status().code());
          }
        })
        .register(registry);
    GaugeWithCallback.builder().name("python_process_start_time_seconds")
        .help("Start time of the current Python child, seconds since the epoch")
        .callback(cb -> {
          SupervisorSnapshot snapshot = supervisor.get();
          if (snapshot.startedAt() != null) {
            cb.call(snapshot.startedAt().toEpochMilli() / 1000.0);
          }
        })
        .register(registry);
    CounterWithCallback.builder().name("remote_config_applied_total")
        .help("Remote configs received, by result").labelNames("result")
        .callback(cb -> {
          RemoteConfigStatus.Snapshot status = remoteConfig.snapshot();
          cb.call(status.accepted(), "accepted");
          cb.call(status.rejected(), "rejected");
        })
        .register(registry);
    CounterWithCallback.builder().name("module_addresses_delivered_total")
        .help("Deliveries of module addresses to the Python child, per attempt, by result")
        .labelNames("module", "result")
        .callback(cb -> deliveries.forEach((labels, count) -> cb.call(count.get(), labels.get(0), labels.get(1))))
        .register(registry);
    if (clusterMode) {
      GaugeWithCallback.builder().name("config_service_session_up")
          .help("1 while a config-service session is active (MODULE:READY acknowledged)")
          .callback(cb -> cb.call(sessionActive.getAsBoolean() ? 1 : 0))
          .register(registry);
      CounterWithCallback.builder().name("config_service_reconnects_total")
          .help("Config-service sessions started after the first")
          .callback(cb -> cb.call(Math.max(0, sessions.get() - 1)))
          .register(registry);
    }
    return registry;
  }

  /** Counts address deliveries; attach to the supervisor. */
  SupervisorListener supervisorListener() {
    return new SupervisorListener() {
      @Override
      public void addressesDelivered(String module, List<String> hosts, int attempts) {
        count(module, "delivered");
      }

      @Override
      public void addressDeliveryFailed(String module, int attempt, String error) {
        count(module, "failed");
      }
    };
  }

  private void count(String module, String result) {
    deliveries.computeIfAbsent(List.of(module, result), labels -> new AtomicLong()).incrementAndGet();
  }

  /** Counts sessions; attach to the cluster client. */
  ClusterListener clusterListener() {
    return new ClusterListener() {
      @Override
      public void sessionStarting(String host, String sessionId) {
        sessions.incrementAndGet();
      }
    };
  }
}
