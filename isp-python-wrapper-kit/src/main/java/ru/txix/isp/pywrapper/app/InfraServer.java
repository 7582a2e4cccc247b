package ru.txix.isp.pywrapper.app;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.http.HealthCheck;
import ru.txix.isp.pywrapper.http.HealthRegistry;
import ru.txix.isp.pywrapper.http.InfraHttpServer;

/** The infra HTTP server ({@link InfraHttpServer}) as a component: the last to start, the first to stop. */
final class InfraServer implements Component {
  private final int port;
  private final Supplier<HealthRegistry> health;
  private final Duration healthTimeout;
  private final HealthCheck liveness;
  private final HealthCheck readiness;
  private final Supplier<PrometheusRegistry> metrics;
  private final Supplier<String> supervisorJson;
  private volatile InfraHttpServer server;

  /** {@code health} is made at the start (its checks need what started before). */
  InfraServer(int port, Supplier<HealthRegistry> health, Duration healthTimeout, HealthCheck liveness,
              HealthCheck readiness, Supplier<PrometheusRegistry> metrics, Supplier<String> supervisorJson) {
    this.port = port;
    this.health = health;
    this.healthTimeout = healthTimeout;
    this.liveness = liveness;
    this.readiness = readiness;
    this.metrics = metrics;
    this.supervisorJson = supervisorJson;
  }

  @Override
  public String name() {
    return "infra server";
  }

  /**
   * Binds and starts.
   *
   * @throws ConfigException naming {@code infraServerPort} when the port cannot be bound
   */
  @Override
  public void start() {
    try {
      server = InfraHttpServer.start(port, health.get(), healthTimeout, liveness, readiness, metrics,
          supervisorJson);
    } catch (BindException e) {
      throw new ConfigException("infraServerPort " + port + ": cannot listen: " + e.getMessage()
          + " (set infraServerPort to a free port)", e);
    } catch (IOException e) {
      throw new ConfigException("infraServerPort " + port + ": cannot listen: " + e, e);
    }
  }

  @Override
  public void stop() {
    InfraHttpServer current = server;
    if (current != null) {
      current.close();
    }
  }
}
