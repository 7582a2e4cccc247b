package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.IDLE;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.RESTARTING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.RUNNING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STARTING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STOPPED;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STOPPING;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.time.ExecutorScheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.AwaitRunning;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ConfigReceived;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.HostsReceived;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.LeftoversKilled;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ProcessAccepting;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ProcessExited;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.StopRequested;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.TimerFired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the Python service as a child ({@code uv run main.py}) and keeps it running: one state machine
 * ({@link SupervisorState}) on one thread.
 *
 * <p>Inputs — a config, a module's host list, a child's exit or readiness, a timer, a stop — are queued by
 * the public methods (callable from any thread, never blocking) and handled one at a time on the supervisor
 * thread, which alone changes the state. Each child gets a generation number; exits, readiness and timers of
 * an older generation are ignored.
 *
 * <ul>
 *   <li>A config different from the current one (as a JSON value) is written atomically to the config file,
 *       then the child is replaced; an equal one is only logged. Configs arriving within
 *       {@link SupervisorSettings#configRestartInterval()} of a start collapse into one restart.
 *   <li>A child that exits by itself is started again after {@link SupervisorSettings#restartDelay()}; a
 *       failed start is retried every {@link SupervisorSettings#startRetryDelay()}. A config or a stop during
 *       that wait acts at once.
 *   <li>Stopping sends SIGTERM to the child's process group, SIGKILL after
 *       {@link SupervisorSettings#stopTimeout()}, and waits for the exit; then whatever the child left alive
 *       is killed. A new child never starts before the old one is gone.
 *   <li>Host lists are kept per module and delivered by {@link AddressDelivery} to every child that accepts
 *       connections, newest list last.
 * </ul>
 *
 * <p>{@link #snapshot()} is a volatile immutable value for health checks and metrics.
 */
public final class PySupervisor {
  /** Environment variable: where the child must listen ({@code host:port}). */
  public static final String BINDING_ADDRESS = "BINDING_ADDRESS";
  /** Environment variable: absolute path of the child's JSON config. */
  public static final String CONFIG_FILE = "CONFIG_FILE";

  private static final Logger log = LoggerFactory.getLogger(PySupervisor.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private enum TimerKind { NONE, RESTART_DUE, REPLACE_DUE, STOP_DEADLINE }

  private final SupervisorSettings settings;
  private final LaunchSpec template;
  private final BindingAddress binding;
  private final ConfigFile configFile;
  private final ChildRecord childRecord;
  private boolean orphansReaped;
  private final ProcessLauncher launcher;
  private final Scheduler scheduler;
  private final Executor loop;
  private final ReadinessProbe probe;
  private final AddressDelivery delivery;
  private final Clock clock;
  private final List<AutoCloseable> owned;
  private final List<SupervisorListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile SupervisorSnapshot snapshot = SupervisorSnapshot.initial();
  private volatile ChildProcess currentChild;

  // Everything below is confined to the supervisor thread.
  private final ArrayDeque<SupervisorInput> inbox = new ArrayDeque<>();
  private final List<Consumer<SupervisorListener>> events = new ArrayList<>();
  private boolean draining;
  private SupervisorState state = IDLE;
  private String detail = "waiting for the first config";
  private ChildProcess child;
  private long generation;
  private long childStartNanos;
  private Instant startedAt;
  private boolean killSent;
  private JsonNode desiredConfig;
  private boolean configFileCurrent = true;
  private RestartCause restartCause;
  private final Map<String, List<String>> hosts = new LinkedHashMap<>();
  private final List<CompletableFuture<Void>> runningWaiters = new ArrayList<>();
  private TimerKind timerKind = TimerKind.NONE;
  private long timerToken;
  private Cancellable timer = Cancellable.NONE;
  private Cancellable probing = Cancellable.NONE;
  private long starts;
  private final Map<RestartCause, Long> restarts = new EnumMap<>(RestartCause.class);
  private SupervisorSnapshot.LastExit lastExit;
  private SupervisorSnapshot.LastError lastError;

  private PySupervisor(Builder builder, SupervisorListener fanOut) {
    this.settings = builder.settings;
    this.template = builder.template;
    this.binding = builder.binding;
    this.configFile = new ConfigFile(builder.configFile);
    this.childRecord = new ChildRecord(builder.childRecord != null ? builder.childRecord
        : this.configFile.path().resolveSibling("." + this.configFile.path().getFileName() + ".child"));
    this.launcher = builder.launcher;
    this.scheduler = builder.scheduler;
    this.loop = builder.loop;
    this.probe = builder.probe;
    this.delivery = builder.delivery != null ? builder.delivery
        : builder.own(new HttpAddressDelivery(scheduler, settings.deliveryBackoff(), fanOut));
    this.clock = builder.clock;
    this.owned = List.copyOf(builder.owned);
    this.listeners.addAll(builder.listeners);
    for (RestartCause cause : RestartCause.values()) {
      restarts.put(cause, 0L);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Hands a config to the child: written to the config file and the child (re)started if it differs. */
  public void configReceived(JsonNode config) {
    requireNonNull(config, "config");
    submit(new ConfigReceived(config.deepCopy()));
  }

  /** The full current host list of required module {@code module} (each {@code host:port}). */
  public void hostsReceived(String module, List<String> hosts) {
    requireNonNull(module, "module");
    submit(new HostsReceived(module, hosts));
  }

  /**
   * Completes once a child accepts connections on the binding address — judged after every input submitted
   * before this call, so a config handed over just before is taken into account. Fails if the supervisor
   * stops first.
   */
  public CompletableFuture<Void> awaitRunning() {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (stopped.isDone()) {
      future.completeExceptionally(new IllegalStateException("the supervisor is stopped"));
    } else {
      submit(new AwaitRunning(future));
    }
    return future;
  }

  /** Starts stopping (idempotent); the future completes once the child is gone. */
  public CompletableFuture<Void> stopAsync() {
    submit(new StopRequested());
    return stopped;
  }

  /** Waits up to {@code timeout} for {@link SupervisorState#STOPPED}; true if reached. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    try {
      stopped.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Completes when the supervisor is {@link SupervisorState#STOPPED}. */
  public CompletableFuture<Void> stoppedFuture() {
    return stopped;
  }

  /**
   * Kills the current child's group at once, from any thread, without waiting — for a second shutdown
   * signal. The state machine still sees the exit as usual.
   */
  public void emergencyKill() {
    ChildProcess current = currentChild;
    if (current != null) {
      log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("pid", current.pid())
          .addKeyValue("pgid", current.pgid()).log("killing the python process group at once");
      current.kill();
    }
  }

  public SupervisorSnapshot snapshot() {
    return snapshot;
  }

  public void addListener(SupervisorListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  public BindingAddress bindingAddress() {
    return binding;
  }

  public Path configFile() {
    return configFile.path();
  }

  @Override
  public String toString() {
    return "PySupervisor [" + snapshot.state() + "]";
  }

  // ---- the supervisor thread ----

  private void submit(SupervisorInput input) {
    if (stopped.isDone()) {
      log.debug("ignored after stop: {}", input);
      return;
    }
    try {
      loop.execute(() -> enqueue(input));
    } catch (RejectedExecutionException e) {
      log.debug("ignored after stop: {}", input); // the loop shut down in between
    }
  }

  /** Inputs raised while handling another one are queued behind it, so handling never nests. */
  private void enqueue(SupervisorInput input) {
    inbox.add(input);
    if (draining) {
      return;
    }
    draining = true;
    try {
      SupervisorInput next;
      while ((next = inbox.poll()) != null) {
        process(next);
      }
    } finally {
      draining = false;
    }
  }

  private void process(SupervisorInput input) {
    try {
      handle(input);
    } catch (RuntimeException e) {
      log.atError().addKeyValue("worker", "supervisor").setCause(e).log("supervisor failed to handle " + input);
    }
    snapshot = buildSnapshot();
    List<Consumer<SupervisorListener>> toRun = new ArrayList<>(events);
    events.clear();
    for (Consumer<SupervisorListener> event : toRun) {
      for (SupervisorListener listener : listeners) {
        try {
          event.accept(listener);
        } catch (RuntimeException e) {
          log.warn("supervisor listener failed", e);
        }
      }
    }
    if (state == STOPPED && !stopped.isDone()) {
      owned.forEach(PySupervisor::closeQuietly);
      stopped.complete(null);
    }
  }

  private void handle(SupervisorInput input) {
    if (state == STOPPED) {
      if (input instanceof AwaitRunning waiting) {
        waiting.future().completeExceptionally(new IllegalStateException("the supervisor is stopped"));
      }
      log.debug("ignored after stop: {}", input);
    } else if (input instanceof ConfigReceived received) {
      onConfig(received.config());
    } else if (input instanceof HostsReceived received) {
      onHosts(received.module(), received.hosts());
    } else if (input instanceof ProcessAccepting accepting) {
      if (accepting.generation() == generation && state == STARTING) {
        enterRunning();
      }
    } else if (input instanceof ProcessExited exited) {
      if (child != null && exited.generation() == generation) {
        onExit(exited.status());
      }
    } else if (input instanceof TimerFired fired) {
      if (fired.token() == timerToken && timerKind != TimerKind.NONE) {
        TimerKind kind = timerKind;
        timerKind = TimerKind.NONE;
        onTimer(kind);
      }
    } else if (input instanceof StopRequested) {
      onStop();
    } else if (input instanceof LeftoversKilled killed) {
      reportLeftovers(killed.child(), killed.pids());
    } else if (input instanceof AwaitRunning waiting) {
      if (state == RUNNING && timerKind != TimerKind.REPLACE_DUE) {
        waiting.future().complete(null);
      } else {
        runningWaiters.add(waiting.future());
      }
    }
  }

  private void onConfig(JsonNode config) {
    if (state == STOPPING) {
      log.atInfo().addKeyValue("worker", "supervisor").log("config ignored: the supervisor is stopping");
      return;
    }
    if (JsonValues.sameValue(config, desiredConfig)) {
      log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("state", state)
          .log("config unchanged: the python process is not restarted");
      events.add(SupervisorListener::configUnchanged);
      return;
    }
    desiredConfig = config;
    configFileCurrent = writeConfig();
    if (!configFileCurrent && child != null) {
      log.atError().addKeyValue("worker", "supervisor")
          .log("the python process keeps running on its previous config");
      return;
    }
    switch (state) {
      case IDLE -> startChild(null);
      case STARTING, RUNNING -> replaceForConfig();
      case RESTARTING -> {
        restartCause = RestartCause.CONFIG_CHANGED;
        if (child == null) {
          cancelTimer();
          startChild(RestartCause.CONFIG_CHANGED);
        }
      }
      default -> throw new IllegalStateException("Unexpected config in state " + state);
    }
  }

  private void replaceForConfig() {
    long age = scheduler.nanoTime() - childStartNanos;
    long minimum = settings.configRestartInterval().toNanos();
    if (age >= minimum) {
      beginReplace();
    } else if (timerKind != TimerKind.REPLACE_DUE) {
      Duration wait = Duration.ofNanos(minimum - age);
      log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("delay", wait.toMillis() + "ms")
          .log("config changed: restarting the python process once it has run "
              + settings.configRestartInterval().toMillis() + "ms (newer configs join this restart)");
      setTimer(TimerKind.REPLACE_DUE, wait);
    }
  }

  private void beginReplace() {
    restartCause = RestartCause.CONFIG_CHANGED;
    cancelTimer();
    transition(RESTARTING, "replacing the python process: config changed");
    sendTerm();
  }

  private void onHosts(String module, List<String> list) {
    hosts.put(module, list);
    log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("module", module).addKeyValue("hosts", list)
        .log("module addresses received");
    if (state == RUNNING) {
      delivery.hostsChanged(generation, module, list);
    }
  }

  private void onTimer(TimerKind kind) {
    switch (kind) {
      case RESTART_DUE -> startChild(restartCause);
      case REPLACE_DUE -> beginReplace();
      case STOP_DEADLINE -> escalate();
      default -> throw new IllegalStateException("No timer to handle");
    }
  }

  private void escalate() {
    ChildProcess current = child;
    String message = killSent ? "process still alive after SIGKILL, sending SIGKILL again"
        : "timeout, sending SIGKILL to process group";
    logChild(log.atWarn(), current).addKeyValue("timeout", settings.stopTimeout().toMillis() + "ms").log(message);
    current.kill();
    if (!killSent) {
      killSent = true;
      events.add(l -> l.stopEscalatedToKill(current.pid()));
    }
    setTimer(TimerKind.STOP_DEADLINE, settings.stopTimeout());
  }

  private void onExit(ExitStatus status) {
    ChildProcess exited = child;
    boolean expected = state == RESTARTING || state == STOPPING;
    boolean configWaiting = timerKind == TimerKind.REPLACE_DUE;
    child = null;
    currentChild = null;
    stopProbing();
    delivery.childGone(generation);
    cancelTimer();
    lastExit = new SupervisorSnapshot.LastExit(status, clock.instant());
    LoggingEventBuilder line = logChild(expected ? log.atInfo() : log.atWarn(), exited)
        .addKeyValue("exitCode", status.code()).addKeyValue("expected", expected);
    status.signal().ifPresent(signal -> line.addKeyValue("signal", signal));
    line.log(expected ? "process exited" : "process exited unexpectedly");
    events.add(l -> l.processExited(exited.pid(), status, expected));
    CompletableFuture<List<Long>> leftovers = exited.cleanUp();
    if (state == STOPPING) {
      reportLeftovers(exited, leftovers.join()); // the host may exit next: nothing may be left
    } else {
      leftovers.thenAccept(pids -> submit(new LeftoversKilled(exited, pids)));
    }
    switch (state) {
      case STARTING, RUNNING -> {
        if (configWaiting) {
          restartCause = RestartCause.CONFIG_CHANGED;
          transition(RESTARTING, "exited with " + status.describe() + " while a new config was waiting");
          startChild(RestartCause.CONFIG_CHANGED);
        } else {
          restartCause = RestartCause.EXITED;
          transition(RESTARTING, "restarting after " + status.describe());
          scheduleRestart(settings.restartDelay(), RestartCause.EXITED);
        }
      }
      case RESTARTING -> startChild(restartCause);
      case STOPPING -> finish("python process stopped");
      default -> throw new IllegalStateException("Unexpected exit in state " + state);
    }
  }

  private void reportLeftovers(ChildProcess exited, List<Long> pids) {
    if (!pids.isEmpty()) {
      logChild(log.atWarn(), exited).addKeyValue("killed", pids).log("killed processes the python child left behind");
      events.add(l -> l.leftoversKilled(pids));
    }
  }

  private void onStop() {
    switch (state) {
      case IDLE -> finish("stop requested before any config");
      case STARTING, RUNNING -> {
        cancelTimer();
        transition(STOPPING, "stop requested");
        sendTerm();
      }
      case RESTARTING -> {
        if (child != null) {
          transition(STOPPING, "stop requested while replacing the python process");
        } else {
          cancelTimer();
          finish("stop requested while waiting to restart");
        }
      }
      default -> log.debug("stop already in progress");
    }
  }

  private void startChild(RestartCause cause) {
    if (cause != null) {
      restarts.merge(cause, 1L, Long::sum);
    }
    if (!configFileCurrent) {
      configFileCurrent = writeConfig();
      if (!configFileCurrent) {
        startFailed(lastError.message());
        return;
      }
    }
    if (!orphansReaped) {
      orphansReaped = true;
      childRecord.reapOrphans();
    }
    LaunchSpec spec = launchSpec();
    log.atDebug().addKeyValue("worker", "supervisor").addKeyValue("command", spec.commandLine())
        .addKeyValue("directory", spec.directory().toString())
        .addKeyValue(BINDING_ADDRESS, spec.environment().get(BINDING_ADDRESS))
        .addKeyValue(CONFIG_FILE, spec.environment().get(CONFIG_FILE)).log("starting the python service");
    ChildProcess started;
    try {
      started = launcher.launch(spec);
    } catch (LaunchException e) {
      startFailed(e.getMessage());
      return;
    }
    long startedGeneration = ++generation;
    child = started;
    currentChild = started;
    starts++;
    killSent = false;
    childRecord.writeLater(started);
    childStartNanos = scheduler.nanoTime();
    startedAt = clock.instant();
    started.onExit().whenComplete((status, error) ->
        submit(new ProcessExited(startedGeneration, status != null ? status : new ExitStatus(-1))));
    transition(STARTING, "started, waiting for it to accept connections on " + binding);
    logChild(log.atInfo(), started).addKeyValue("bindingAddress", binding.toString())
        .addKeyValue("configPath", configFile.toString()).addKeyValue("modulePath", template.script())
        .addKeyValue("command", template.commandLine()).log("python service started");
    events.add(l -> l.processStarted(started.pid(), started.pgid()));
    probing = probe.awaitAccepting(binding.connectAddress(), () -> submit(new ProcessAccepting(startedGeneration)));
  }

  private void startFailed(String message) {
    lastError = new SupervisorSnapshot.LastError(message, clock.instant());
    restartCause = RestartCause.START_FAILED;
    Duration delay = settings.startRetryDelay();
    log.atError().addKeyValue("worker", "supervisor").addKeyValue("retryIn", delay.toMillis() + "ms")
        .log("start failed: " + message);
    events.add(l -> l.startFailed(message));
    transition(RESTARTING, "start failed, retrying in " + delay.toMillis() + "ms: " + message);
    scheduleRestart(delay, RestartCause.START_FAILED);
  }

  private void enterRunning() {
    transition(RUNNING, "accepting connections on " + binding);
    long pid = child.pid();
    events.add(l -> l.processReady(pid));
    delivery.childReady(generation, binding, Collections.unmodifiableMap(new LinkedHashMap<>(hosts)));
    runningWaiters.forEach(waiter -> waiter.complete(null));
    runningWaiters.clear();
  }

  private void sendTerm() {
    stopProbing();
    delivery.childGone(generation);
    logChild(log.atInfo(), child).log("sending SIGTERM to process group");
    child.terminate();
    setTimer(TimerKind.STOP_DEADLINE, settings.stopTimeout());
  }

  private void finish(String why) {
    childRecord.clearLater();
    childRecord.flush();
    runningWaiters.forEach(waiter -> waiter.completeExceptionally(new IllegalStateException("the supervisor stopped")));
    runningWaiters.clear();
    cancelTimer();
    stopProbing();
    delivery.close();
    transition(STOPPED, why);
  }

  private boolean writeConfig() {
    try {
      configFile.write(JSON.writeValueAsBytes(desiredConfig));
      log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("configPath", configFile.toString())
          .log("config file written");
      events.add(SupervisorListener::configWritten);
      return true;
    } catch (IOException | RuntimeException e) {
      String message = "cannot write config file " + configFile + ": " + e;
      lastError = new SupervisorSnapshot.LastError(message, clock.instant());
      log.atError().addKeyValue("worker", "supervisor").log(message);
      return false;
    }
  }

  private LaunchSpec launchSpec() {
    Map<String, String> environment = new HashMap<>(template.environment());
    environment.remove("VIRTUAL_ENV");
    environment.putIfAbsent("PYTHONUNBUFFERED", "1");
    environment.put(BINDING_ADDRESS, binding.toString());
    environment.put(CONFIG_FILE, configFile.toString());
    return new LaunchSpec(template.uv(), template.uvArgs(), template.script(), template.directory(), environment);
  }

  private void transition(SupervisorState to, String why) {
    SupervisorState from = state;
    state = to;
    detail = why;
    LoggingEventBuilder line = logChild(log.atInfo(), child).addKeyValue("state", to).addKeyValue("from", from)
        .addKeyValue("cause", why);
    if (lastExit != null && (to == RESTARTING || to == STOPPED)) {
      line.addKeyValue("lastExitCode", lastExit.status().code());
      lastExit.status().signal().ifPresent(signal -> line.addKeyValue("lastSignal", signal));
    }
    line.log("supervisor " + from + " -> " + to);
    events.add(l -> l.stateChanged(from, snapshot));
  }

  private void scheduleRestart(Duration delay, RestartCause cause) {
    setTimer(TimerKind.RESTART_DUE, delay);
    events.add(l -> l.restartScheduled(delay, cause));
  }

  private void setTimer(TimerKind kind, Duration delay) {
    timer.cancel();
    timerKind = kind;
    long token = ++timerToken;
    timer = scheduler.schedule(delay, () -> submit(new TimerFired(token)));
  }

  private void cancelTimer() {
    timer.cancel();
    timer = Cancellable.NONE;
    timerKind = TimerKind.NONE;
    timerToken++;
  }

  private void stopProbing() {
    probing.cancel();
    probing = Cancellable.NONE;
  }

  private LoggingEventBuilder logChild(LoggingEventBuilder line, ChildProcess process) {
    line.addKeyValue("worker", "supervisor");
    if (process != null) {
      line.addKeyValue("pid", process.pid()).addKeyValue("pgid", process.pgid());
    }
    return line;
  }

  private SupervisorSnapshot buildSnapshot() {
    return new SupervisorSnapshot(state, detail, child == null ? null : child.pid(),
        child == null ? null : child.pgid(), generation, child == null ? null : startedAt, starts, restarts,
        lastExit, lastError, hosts);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.debug("close failed", e);
    }
  }

  /** Assembles a {@link PySupervisor}; only the binding address and the config file are required. */
  public static final class Builder {
    private SupervisorSettings settings = SupervisorSettings.DEFAULTS;
    private LaunchSpec template = new LaunchSpec("uv", List.of(), "main.py", Path.of(""), System.getenv());
    private BindingAddress binding;
    private Path configFile;
    private Path childRecord;
    private ProcessLauncher launcher;
    private Scheduler scheduler;
    private Executor loop;
    private ReadinessProbe probe;
    private AddressDelivery delivery;
    private Clock clock = Clock.systemUTC();
    private final List<SupervisorListener> listeners = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();

    private Builder() {
    }

    public Builder settings(SupervisorSettings settings) {
      this.settings = requireNonNull(settings, "settings");
      return this;
    }

    /**
     * What to run, before the supervisor adds {@code BINDING_ADDRESS} and {@code CONFIG_FILE} to the
     * environment (and {@code PYTHONUNBUFFERED=1} unless set, and removes {@code VIRTUAL_ENV}).
     * Default: {@code uv run main.py} in the working directory with the host's environment.
     */
    public Builder command(LaunchSpec template) {
      this.template = requireNonNull(template, "template");
      return this;
    }

    public Builder bindingAddress(BindingAddress binding) {
      this.binding = requireNonNull(binding, "binding");
      return this;
    }

    public Builder configFile(Path configFile) {
      this.configFile = requireNonNull(configFile, "configFile");
      return this;
    }

    /**
     * The state file naming the running child, for reaping it after the host was killed (default:
     * {@code .<config file name>.child} beside the config file).
     */
    public Builder childRecord(Path childRecord) {
      this.childRecord = requireNonNull(childRecord, "childRecord");
      return this;
    }

    public Builder listener(SupervisorListener listener) {
      listeners.add(requireNonNull(listener, "listener"));
      return this;
    }

    /** For testing: how children are started (default {@link UvProcessLauncher}). */
    public Builder launcher(ProcessLauncher launcher) {
      this.launcher = requireNonNull(launcher, "launcher");
      return this;
    }

    /** For testing: timers (default: a daemon thread). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** For testing: the thread inputs are handled on (default: one daemon thread, "py-supervisor"). */
    public Builder executor(Executor loop) {
      this.loop = requireNonNull(loop, "loop");
      return this;
    }

    /** For testing: readiness probe (default: TCP connect every {@code readinessProbeInterval}). */
    public Builder readinessProbe(ReadinessProbe probe) {
      this.probe = requireNonNull(probe, "probe");
      return this;
    }

    /** For testing: address delivery (default: HTTP POST with {@code deliveryBackoff}). */
    public Builder addressDelivery(AddressDelivery delivery) {
      this.delivery = requireNonNull(delivery, "delivery");
      return this;
    }

    /** For testing: wall clock for the snapshot's timestamps. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public PySupervisor build() {
      requireNonNull(binding, "bindingAddress is required");
      requireNonNull(configFile, "configFile is required");
      if (launcher == null) {
        launcher = new UvProcessLauncher();
      }
      if (scheduler == null) {
        scheduler = own(new ExecutorScheduler("py-supervisor-timer"));
      }
      if (loop == null) {
        ExecutorService executor = Executors.newSingleThreadExecutor(NamedThreads.daemon("py-supervisor"));
        owned.add(executor::shutdown);
        loop = executor;
      }
      if (probe == null) {
        probe = new TcpReadinessProbe(own(new ExecutorScheduler("py-probe")), settings.readinessProbeInterval());
      }
      FanOut fanOut = new FanOut();
      PySupervisor supervisor = new PySupervisor(this, fanOut);
      fanOut.target = supervisor.listeners;
      return supervisor;
    }

    private <T extends AutoCloseable> T own(T closeable) {
      owned.add(closeable);
      return closeable;
    }
  }

  /** Passes address-delivery callbacks on to the supervisor's listeners. */
  private static final class FanOut extends SupervisorListener {
    private volatile List<SupervisorListener> target = List.of();

    @Override
    public void addressesDelivered(String module, List<String> hosts, int attempts) {
      target.forEach(l -> l.addressesDelivered(module, hosts, attempts));
    }

    @Override
    public void addressDeliveryFailed(String module, int attempt, String error) {
      target.forEach(l -> l.addressDeliveryFailed(module, attempt, error));
    }
  }
}
