package ru.txix.isp.pywrapper.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import ru.txix.isp.pywrapper.cluster.Payloads.AddressConfiguration;
import ru.txix.isp.pywrapper.cluster.Payloads.BackendDeclaration;
import ru.txix.isp.pywrapper.cluster.Payloads.MetricsAutodiscovery;
import ru.txix.isp.pywrapper.cluster.Payloads.ModuleDependency;
import ru.txix.isp.pywrapper.cluster.Payloads.ModuleRequirements;
import ru.txix.isp.pywrapper.cluster.etp.EtpClosed;
import ru.txix.isp.pywrapper.cluster.etp.EtpCodec;
import ru.txix.isp.pywrapper.cluster.etp.EtpConnection;
import ru.txix.isp.pywrapper.cluster.etp.EtpFormatException;
import ru.txix.isp.pywrapper.cluster.etp.EtpMessage;
import ru.txix.isp.pywrapper.internal.config.ConfigDocument;
import ru.txix.isp.pywrapper.internal.config.Problem;
import ru.txix.isp.pywrapper.internal.config.RemoteConfigSink;
import ru.txix.isp.pywrapper.internal.config.Verdict;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.json.Secrets;
import ru.txix.isp.pywrapper.internal.net.HostPort;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One session with the config service, from connect to the end of the connection. Runs on "config-service".
 *
 * <p>It ends, with a {@link SessionFailedException} saying why, as soon as it cannot serve the module: no
 * connection; an acknowledgement other than {@code ok} (the service refused the event: its words are the
 * message); no first config within the config timeout; a missing acknowledgement or address list; the connection
 * ending first. A quiet session (one within an outage) logs its steps at debug until it is active.
 */
final class ConfigServiceSession implements EtpConnection.Handler {
  private static final Logger log = LoggerFactory.getLogger(ConfigServiceSession.class);
  private static final JsonMapper JSON = JsonValues.mapper();
  private static final String TRANSPORT = "http";

  private final ClusterClient client;
  private final HostPort host;
  private final String sessionId;
  private final URI uri;
  private final ModuleDeclaration declaration;
  private final RemoteConfigSink configs;
  private final ClusterHandler handler;
  private final ClusterListener listener;
  private final ClusterSettings settings;
  private final Scheduler timers;
  private final Executor configLane;
  private final Executor hostsLane;
  private final boolean quiet;

  /** The first config's verdict. */
  private final CompletableFuture<Verdict> firstVerdict = new CompletableFuture<>();
  private final CompletableFuture<Void> configValid = new CompletableFuture<>();
  private final CompletableFuture<String> errorEvent = new CompletableFuture<>();
  private final Map<String, CompletableFuture<Void>> modules = new LinkedHashMap<>();
  private volatile boolean active;

  ConfigServiceSession(ClusterClient client, HostPort host, String sessionId, URI uri, ModuleDeclaration declaration,
                       RemoteConfigSink configs, ClusterHandler handler, ClusterListener listener,
                       ClusterSettings settings, Scheduler timers, Executor configLane, Executor hostsLane,
                       boolean quiet) {
    this.client = client;
    this.host = host;
    this.sessionId = sessionId;
    this.uri = uri;
    this.declaration = declaration;
    this.configs = configs;
    this.handler = handler;
    this.listener = listener;
    this.settings = settings;
    this.timers = timers;
    this.configLane = configLane;
    this.hostsLane = hostsLane;
    this.quiet = quiet;
    declaration.requiredModules().forEach(module -> modules.put(module, new CompletableFuture<>()));
  }

  /** Runs the session; returns how the connection ended once it was active, or throws why it failed before. */
  EtpClosed run() throws SessionFailedException {
    EtpConnection connection = connect();
    String advertised = advertisedHost();

    emit(connection, ClusterEvents.MODULE_SEND_CONFIG_SCHEMA, configData());
    emit(connection, ClusterEvents.MODULE_SEND_REQUIREMENTS,
        json(new ModuleRequirements(declaration.requiredModules(), false)));

    Verdict first = awaitFirstConfig(connection);
    if (first instanceof Verdict.Rejected && !client.anyConfigAccepted()) {
      log.atError().addKeyValue("sessionId", sessionId).log("the remote config is invalid and no valid config is "
          + "in effect: waiting for a corrected " + ClusterEvents.CONFIG_SEND_CONFIG_CHANGED
          + " before MODULE:READY");
      await(connection, configValid, null, "await a valid remote config");
    }
    for (Map.Entry<String, CompletableFuture<Void>> module : modules.entrySet()) {
      await(connection, module.getValue(), settings.moduleConnectedTimeout(),
          "await '" + ClusterEvents.moduleConnected(module.getKey()) + "' event");
    }
    awaitServiceAccepting(connection);

    emit(connection, ClusterEvents.MODULE_READY, json(backendDeclaration(advertised)));
    active = true;
    client.activated(host, sessionId);
    listener.sessionActive(host.toString(), sessionId);
    try {
      return connection.closed().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SessionFailedException("interrupted");
    } catch (ExecutionException e) {
      throw new SessionFailedException("connection failed: " + e.getCause(), e.getCause());
    }
  }

  private EtpConnection connect() throws SessionFailedException {
    try {
      EtpConnection connection = EtpConnection.open(uri, settings.etp(), timers, this);
      client.connected(connection);
      return connection;
    } catch (java.io.IOException e) {
      throw new SessionFailedException(SessionFailedException.Kind.UNREACHABLE, "connect: " + rootMessage(e), e);
    }
  }

  /** The service pushes the config before it acknowledges the schema: without one in time, this host is no use. */
  private Verdict awaitFirstConfig(EtpConnection connection) throws SessionFailedException {
    String event = ClusterEvents.CONFIG_SEND_CONFIG_WHEN_CONNECTED;
    try {
      return await(connection, firstVerdict, settings.configTimeout(), "await '" + event + "' event");
    } catch (SessionFailedException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw new SessionFailedException(SessionFailedException.Kind.CONFIG_TIMEOUT, "no " + event + " within "
            + settings.configTimeout().toMillis() + "ms", e.getCause());
      }
      throw e;
    }
  }

  private String advertisedHost() throws SessionFailedException {
    if (!declaration.outerIp().isEmpty()) {
      return declaration.outerIp();
    }
    try {
      return AdvertisedHost.detect(host);
    } catch (Exception e) {
      throw new SessionFailedException("cannot find the local address towards " + host + " to advertise ("
          + rootMessage(e) + "); set grpcOuterAddress.ip", e);
    }
  }

  private void awaitServiceAccepting(EtpConnection connection) throws SessionFailedException {
    try {
      await(connection, handler.serviceAccepting(), settings.readinessTimeout(),
          "await the python service to accept connections");
    } catch (SessionFailedException e) {
      if (!(e.getCause() instanceof TimeoutException)) {
        throw e;
      }
      log.atWarn().addKeyValue("sessionId", sessionId).addKeyValue("timeout", settings.readinessTimeout().toString())
          .log("the python service does not accept connections yet: sending MODULE:READY anyway");
    }
  }

  /**
   * {@code MODULE:SEND_CONFIG_SCHEMA}'s data, isp-kit's {@code ConfigData}: {@code version}, {@code schema},
   * {@code config} (the default config), the two trees as read, numbers as written.
   */
  private ObjectNode configData() {
    ObjectNode data = JsonValues.object().put("version", declaration.version());
    data.set("schema", declaration.schema());
    data.set("config", declaration.defaultConfig());
    return data;
  }

  /** Sends a payload that may hold secrets: logged masked. */
  private void emit(EtpConnection connection, String event, ObjectNode payload) throws SessionFailedException {
    emit(connection, event, JsonValues.text(payload), Secrets.mask(payload));
  }

  private void emit(EtpConnection connection, String event, String data) throws SessionFailedException {
    emit(connection, event, data, EtpCodec.quote(data));
  }

  /**
   * Sends {@code event} ({@code logged} is how its data is logged) and awaits its acknowledgement; anything but
   * {@code ok} is a refusal (the service's handler failed: e.g. a node without a raft leader, or a default config
   * missing variables) and ends the session, whose step would otherwise wait for what will not come.
   */
  private void emit(EtpConnection connection, String event, String data, Object logged)
      throws SessionFailedException {
    step().addKeyValue("sessionId", sessionId).addKeyValue("event", event).addKeyValue("data", logged)
        .log("send event");
    String response = await(connection, connection.emitWithAck(event, data, settings.ackTimeout()), null,
        "emit '" + event + "'");
    if (!response.equals(ClusterEvents.ACK_OK)) {
      throw SessionFailedException.refused(event, response);
    }
    step().addKeyValue("sessionId", sessionId).addKeyValue("event", event).addKeyValue("response", response)
        .log("event acknowledged");
  }

  /** INFO, or debug in a quiet session until it is active. */
  private LoggingEventBuilder step() {
    return quiet && !active ? log.atDebug() : log.atInfo();
  }

  /** Waits for {@code step}, the end of the connection, an error event, or the timeout (null: none). */
  private <T> T await(EtpConnection connection, CompletableFuture<T> step, Duration timeout, String what)
      throws SessionFailedException {
    CompletableFuture<Object> any = CompletableFuture.anyOf(step, connection.closed(), errorEvent);
    try {
      if (timeout == null) {
        any.get();
      } else {
        any.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      throw new SessionFailedException(what + ": timeout after " + timeout.toMillis() + "ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SessionFailedException(what + ": interrupted");
    } catch (ExecutionException e) {
      // reported below
    }
    if (step.isDone()) {
      try {
        return step.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TimeoutException) {
          throw new SessionFailedException(what + ": " + cause.getMessage(), cause);
        }
        throw new SessionFailedException(what + ": " + rootMessage(cause), cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SessionFailedException(what + ": interrupted");
      }
    }
    if (errorEvent.isDone()) {
      throw new SessionFailedException(what + ": " + errorEvent.join());
    }
    throw new SessionFailedException(what + ": connection " + connection.closed().join());
  }

  private BackendDeclaration backendDeclaration(String advertisedHost) {
    List<ModuleDependency> dependencies = new ArrayList<>();
    declaration.requiredModules().forEach(module -> dependencies.add(new ModuleDependency(module, true)));
    MetricsAutodiscovery metrics = null;
    if (declaration.metrics() != null) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("__metrics_path__", "/internal/metrics");
      labels.put("app", declaration.moduleName());
      labels.putAll(declaration.metrics().additionalLabels());
      String address = declaration.metrics().address().isEmpty()
          ? new HostPort(advertisedHost, declaration.metrics().infraPort()).toString()
          : declaration.metrics().address();
      metrics = new MetricsAutodiscovery(address, labels);
    }
    return new BackendDeclaration(declaration.moduleName(), declaration.version(), declaration.libVersion(),
        TRANSPORT, declaration.endpoints().isEmpty() ? null
        : declaration.endpoints().stream().map(Payloads.EndpointDescriptor::of).toList(), dependencies,
        new AddressConfiguration(advertisedHost, Integer.toString(declaration.outerPort())), metrics);
  }

  // ---- incoming events: on the connection's reader; hand over to a lane and return ----

  @Override
  public void onEvent(EtpConnection connection, EtpMessage message) {
    String event = message.name();
    // A config's data is logged once, masked, by the intake that parses it; here only its size.
    LoggingEventBuilder received = step().addKeyValue("sessionId", sessionId).addKeyValue("event", event);
    if (ClusterEvents.carriesConfig(event)) {
      received.addKeyValue("bytes", message.data().length());
    } else {
      received.addKeyValue("data", EtpCodec.quote(message.data()));
    }
    received.log("event received");
    if (event.equals(ClusterEvents.CONFIG_SEND_CONFIG_WHEN_CONNECTED)
        || event.equals(ClusterEvents.CONFIG_SEND_CONFIG_CHANGED)) {
      configLane.execute(() -> {
        applyConfig(event, message.data());
        acknowledge(connection, message);
      });
    } else if (event.endsWith(ClusterEvents.MODULE_CONNECTED_SUFFIX) && modules.containsKey(moduleOf(event))) {
      hostsLane.execute(() -> {
        applyHosts(moduleOf(event), message.data());
        acknowledge(connection, message);
      });
    } else if (event.equals(ClusterEvents.ERROR_CONNECTION) || event.equals(ClusterEvents.ERROR_CONFIG)) {
      log.atError().addKeyValue("sessionId", sessionId).addKeyValue("event", event)
          .log("config service reported an error: " + EtpCodec.quote(message.data()));
      if (!active) {
        errorEvent.complete(event + ": " + EtpCodec.quote(message.data()));
      }
      acknowledge(connection, message);
    } else {
      log.atWarn().addKeyValue("sessionId", sessionId).addKeyValue("event", event)
          .addKeyValue("data", EtpCodec.quote(message.data())).log("unexpected event from config service: ignored");
      acknowledge(connection, message);
    }
  }

  @Override
  public void onMalformed(EtpConnection connection, EtpFormatException error) {
    log.atError().addKeyValue("sessionId", sessionId).log("malformed message from config service ignored: "
        + error.getMessage());
  }

  /** Parses the config (once, here), hands it to the sink and keeps its verdict. */
  private void applyConfig(String event, String data) {
    Verdict verdict;
    try {
      step().addKeyValue("sessionId", sessionId).addKeyValue("event", event).log("remote config applying...");
      verdict = configs.configReceived(event, ConfigDocument.parse(data));
    } catch (RuntimeException e) {
      log.atError().setCause(e).addKeyValue("sessionId", sessionId).log("handle event " + event);
      verdict = new Verdict.Rejected(List.of(new Problem("", "not handled: " + e)));
    }
    if (verdict instanceof Verdict.Accepted) {
      client.configAccepted();
      configValid.complete(null);
      step().addKeyValue("sessionId", sessionId).log("remote config successfully applied");
    }
    firstVerdict.complete(verdict);
  }

  private void applyHosts(String module, String data) {
    try {
      handler.hostsReceived(module, ModuleAddresses.parse(data));
    } catch (IllegalArgumentException e) {
      log.atError().addKeyValue("sessionId", sessionId).addKeyValue("module", module)
          .log("invalid address list for " + module + " ignored: " + e.getMessage());
    } catch (RuntimeException e) {
      log.atError().setCause(e).addKeyValue("sessionId", sessionId).log("handle addresses of " + module);
    }
    modules.get(module).complete(null);
  }

  private void acknowledge(EtpConnection connection, EtpMessage message) {
    if (message.wantsAck()) {
      connection.send(message.ack(""));
    }
  }

  private static String moduleOf(String event) {
    return event.substring(0, event.length() - ClusterEvents.MODULE_CONNECTED_SUFFIX.length());
  }

  private static String json(Object payload) {
    return JSON.writeValueAsString(payload);
  }

  private static String rootMessage(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName()
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
