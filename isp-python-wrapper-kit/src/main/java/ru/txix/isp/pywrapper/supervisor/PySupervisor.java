package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.IDLE;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.RESTARTING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.RUNNING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STARTING;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STOPPED;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.STOPPING;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import ru.txix.isp.pywrapper.internal.RepeatedFailures;
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
 *   <li>A config different from the last one received (as a JSON value) is written atomically to the config
 *       file, then the child is replaced; an equal one is only logged. Configs arriving within
 *       {@link SupervisorSettings#configRestartInterval()} of a start collapse into one restart. If the file
 *       cannot be written, the running child is left alone and the write is retried every
 *       {@link SupervisorSettings#startRetryDelay()}.
 *   <li>A child that exits by itself is started again after {@link SupervisorSettings#restartDelay()}; a
 *       failed start is retried every {@link SupervisorSettings#startRetryDelay()}. A config or a stop during
 *       that wait acts at once.
 *   <li>Stopping sends SIGTERM to the child's process group, SIGKILL after
 *       {@link SupervisorSettings#stopTimeout()}, and waits for the exit. The old child's process group is gone
 *       before a new child starts; descendants that left the group are swept right after (and, on a final
 *       stop, before the supervisor reports STOPPED).
 *   <li>Host lists are kept per module and delivered by {@link AddressDelivery} to every child that accepts
 *       connections, newest list last.
 * </ul>
 *
 * <p>A failing operation on a child (a signal the OS refuses, say) is logged and never leaves the state
 * machine stuck. {@link #snapshot()} is a volatile immutable value for health checks and metrics.
 */
public final class PySupervisor {
  /** Environment variable: where the child must listen ({@code host:port}). */
  public static final String BINDING_ADDRESS = "BINDING_ADDRESS";
  /** Environment variable: absolute path of the child's JSON config. */
  public static final String CONFIG_FILE = "CONFIG_FILE";

  private static final Logger log = LoggerFactory.getLogger(PySupervisor.class);

  private enum TimerKind { NONE, RESTART_DUE, REPLACE_DUE, STOP_DEADLINE }

  private final SupervisorSettings settings;
  private final LaunchSpec template;
  private final BindingAddress binding;
  private final ConfigFile configFile;
  private final ConfigBook configs;
  private final ChildRecord childRecord;
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
  private boolean orphansReaped;
  private RestartCause restartCause;
  private CompletableFuture<List<Long>> lastSweep = CompletableFuture.completedFuture(List.of());
  private final Map<String, List<String>> hosts = new LinkedHashMap<>();
  private final RepeatedFailures startFailures;
  private final List<CompletableFuture<Void>> runningWaiters = new ArrayList<>();
  private TimerKind timerKind = TimerKind.NONE;
  private long timerToken;
  private Cancellable timer = Cancellable.NONE;
  private Cancellable probing = Cancellable.NONE;
  private long starts;
  private final Map<RestartCause, Long> restarts = new EnumMap<>(RestartCause.class);
  private SupervisorSnapshot.LastExit lastExit;
  private SupervisorSnapshot.LastError lastError;

  PySupervisor(PySupervisorBuilder builder) {
    this.settings = builder.settings;
    this.template = builder.template;
    this.binding = builder.binding;
    this.configFile = new ConfigFile(builder.configFile);
    this.configs = new ConfigBook(configFile);
    this.childRecord = new ChildRecord(builder.childRecord != null ? builder.childRecord
        : configFile.path().resolveSibling("." + configFile.path().getFileName() + ".child"));
    this.launcher = builder.launcher;
    this.scheduler = builder.scheduler;
    this.loop = builder.loop;
    this.probe = builder.probe;
    this.delivery = builder.delivery != null ? builder.delivery
        : builder.own(new HttpAddressDelivery(scheduler, settings.deliveryBackoff(), new FanOut(listeners)));
    this.clock = builder.clock;
    this.owned = List.copyOf(builder.owned);
    this.listeners.addAll(builder.listeners);
    for (RestartCause cause : RestartCause.values()) {
      restarts.put(cause, 0L);
    }
    this.startFailures = new RepeatedFailures(RepeatedFailures.DEFAULT_INTERVAL, scheduler::nanoTime);
  }

  public static PySupervisorBuilder builder() {
    return new PySupervisorBuilder();
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
   * Completes once a child accepts connections on the binding address with the newest config — judged after
   * every input submitted before this call. Fails if the supervisor stops first.
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
    } catch (ExecutionException e) {
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
    if (configs.unchanged(config)) {
      log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("state", state)
          .log("config unchanged: the python process is not restarted");
      events.add(SupervisorListener::configUnchanged);
      return;
    }
    configs.receive(config);
    if (child != null && !writeConfig()) {
      log.atError().addKeyValue("worker", "supervisor").log("the python process keeps running on its previous "
          + "config; writing the new one is retried every " + settings.startRetryDelay().toMillis() + "ms");
      if (state != RESTARTING && timerKind != TimerKind.REPLACE_DUE) {
        setTimer(TimerKind.REPLACE_DUE, settings.startRetryDelay());
      }
      return;
    }
    if (child != null && state != RESTARTING && configs.childRunsDesired()) {
      if (timerKind == TimerKind.REPLACE_DUE) {
        cancelTimer();
      }
      log.atInfo().addKeyValue("worker", "supervisor").log("config is again the one the python process runs: "
          + "no restart");
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

  /** The replacement of a running child is due: make sure the file holds the newest config, then stop it. */
  private void replaceDue() {
    if (!configs.fileCurrent() && !writeConfig()) {
      setTimer(TimerKind.REPLACE_DUE, settings.startRetryDelay());
      return;
    }
    if (configs.childRunsDesired()) {
      return; // the config came back to what the child runs
    }
    beginReplace();
  }

  private void beginReplace() {
    restartCause = RestartCause.CONFIG_CHANGED;
    cancelTimer();
    transition(RESTARTING, "replacing the python process: config changed", null);
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
      case REPLACE_DUE -> replaceDue();
      case STOP_DEADLINE -> escalate();
      default -> throw new IllegalStateException("No timer to handle");
    }
  }

  private void escalate() {
    ChildProcess current = child;
    setTimer(TimerKind.STOP_DEADLINE, settings.stopTimeout()); // first: a failing kill must not end the retries
    String message = killSent ? "process still alive after SIGKILL, sending SIGKILL again"
        : "timeout, sending SIGKILL to process group";
    logChild(log.atWarn(), current).addKeyValue("timeout", settings.stopTimeout().toMillis() + "ms").log(message);
    safely(current, "SIGKILL", current::kill);
    if (!killSent) {
      killSent = true;
      events.add(l -> l.stopEscalatedToKill(current.pid()));
    }
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
    lastSweep = sweep(exited);
    switch (state) {
      case STARTING, RUNNING -> {
        if (configWaiting) {
          restartCause = RestartCause.CONFIG_CHANGED;
          transition(RESTARTING, "exited with " + status.describe() + " while a new config was waiting", status);
          startChild(RestartCause.CONFIG_CHANGED);
        } else {
          restartCause = RestartCause.EXITED;
          transition(RESTARTING, "restarting after " + status.describe(), status);
          scheduleRestart(settings.restartDelay(), RestartCause.EXITED);
        }
      }
      case RESTARTING -> startChild(restartCause);
      case STOPPING -> finish("python process stopped", status);
      default -> throw new IllegalStateException("Unexpected exit in state " + state);
    }
  }

  /** Kills the exited child's group now and sweeps its escaped descendants in the background. */
  private CompletableFuture<List<Long>> sweep(ChildProcess exited) {
    CompletableFuture<List<Long>> sweep;
    try {
      sweep = exited.cleanUp();
    } catch (RuntimeException e) {
      logChild(log.atError(), exited).setCause(e).log("cleaning up after the python process failed");
      return CompletableFuture.completedFuture(List.of());
    }
    sweep.thenAccept(pids -> submit(new LeftoversKilled(exited, pids)));
    return sweep;
  }

  private void reportLeftovers(ChildProcess exited, List<Long> pids) {
    if (!pids.isEmpty()) {
      logChild(log.atWarn(), exited).addKeyValue("killed", pids).log("killed processes the python child left behind");
      events.add(l -> l.leftoversKilled(pids));
    }
  }

  private void onStop() {
    switch (state) {
      case IDLE -> finish("stop requested before any config", null);
      case STARTING, RUNNING -> {
        cancelTimer();
        transition(STOPPING, "stop requested", null);
        sendTerm();
      }
      case RESTARTING -> {
        if (child != null) {
          transition(STOPPING, "stop requested while replacing the python process", null);
        } else {
          cancelTimer();
          finish("stop requested while waiting to restart", null);
        }
      }
      default -> log.debug("stop already in progress");
    }
  }

  private void startChild(RestartCause cause) {
    if (cause != null) {
      restarts.merge(cause, 1L, Long::sum);
    }
    if (!configs.fileCurrent() && !writeConfig()) {
      if (!configs.anyWritten()) {
        startFailed(lastError.message());
        return;
      }
      log.atWarn().addKeyValue("worker", "supervisor").log("starting the python process on the last config "
          + "written; the newer one is written as soon as the file can be");
    }
    if (!orphansReaped) {
      orphansReaped = true;
      try {
        childRecord.reapOrphans();
      } catch (RuntimeException e) {
        log.atError().addKeyValue("worker", "supervisor").setCause(e).log("reaping an orphaned child failed");
      }
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
    startFailures.succeeded().ifPresent(recovery -> log.atInfo().addKeyValue("worker", "supervisor")
        .addKeyValue("attempts", recovery.failures()).log("the python service could be started again after "
            + recovery.failures() + " failed attempts in " + recovery.after().toSeconds() + "s"));
    long startedGeneration = ++generation;
    child = started;
    configs.childStarted();
    currentChild = started;
    starts++;
    killSent = false;
    childStartNanos = scheduler.nanoTime();
    startedAt = clock.instant();
    childRecord.writeLater(started);
    started.onExit().whenComplete((status, error) ->
        submit(new ProcessExited(startedGeneration, status != null ? status : new ExitStatus(-1))));
    transition(STARTING, "started, waiting for it to accept connections on " + binding, null);
    logChild(log.atInfo(), started).addKeyValue("bindingAddress", binding.toString())
        .addKeyValue("configPath", configFile.toString()).addKeyValue("modulePath", template.script())
        .addKeyValue("command", template.commandLine()).log("python service started");
    events.add(l -> l.processStarted(started.pid(), started.pgid()));
    probing = probe.awaitAccepting(binding.connectAddress(), () -> submit(new ProcessAccepting(startedGeneration)));
    if (!configs.fileCurrent()) {
      setTimer(TimerKind.REPLACE_DUE, settings.startRetryDelay());
    }
  }

  private void startFailed(String message) {
    lastError = new SupervisorSnapshot.LastError(message, clock.instant());
    restartCause = RestartCause.START_FAILED;
    Duration delay = settings.startRetryDelay();
    RepeatedFailures.Verdict verdict = startFailures.failed();
    if (verdict instanceof RepeatedFailures.First) {
      log.atError().addKeyValue("worker", "supervisor").addKeyValue("retryIn", delay.toMillis() + "ms")
          .log("start failed: " + message + "; retrying every " + delay.toMillis() + "ms");
    } else if (verdict instanceof RepeatedFailures.Summary summary) {
      log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("attempts", summary.attempts())
          .log("still cannot start the python service: " + summary.attempts() + " attempts in "
              + summary.since().toSeconds() + "s, last error: " + message);
    }
    events.add(l -> l.startFailed(message));
    String why = "start failed, retrying in " + delay.toMillis() + "ms: " + message;
    if (state == RESTARTING) {
      detail = why; // the same state: no transition to log
    } else {
      transition(RESTARTING, why, null);
    }
    scheduleRestart(delay, RestartCause.START_FAILED);
  }

  private void enterRunning() {
    transition(RUNNING, "accepting connections on " + binding, null);
    long pid = child.pid();
    events.add(l -> l.processReady(pid));
    delivery.childReady(generation, binding, Collections.unmodifiableMap(new LinkedHashMap<>(hosts)));
    if (timerKind != TimerKind.REPLACE_DUE) { // with a replacement due, waiters wait for the next child
      runningWaiters.forEach(waiter -> waiter.complete(null));
      runningWaiters.clear();
    }
  }

  private void sendTerm() {
    stopProbing();
    delivery.childGone(generation);
    setTimer(TimerKind.STOP_DEADLINE, settings.stopTimeout()); // first: SIGKILL follows even if SIGTERM fails
    logChild(log.atInfo(), child).log("sending SIGTERM to process group");
    safely(child, "SIGTERM", child::terminate);
  }

  private void finish(String why, ExitStatus exit) {
    try {
      lastSweep.get(2, TimeUnit.SECONDS); // the host may exit next: nothing of the child may be left
    } catch (Exception e) {
      log.atWarn().addKeyValue("worker", "supervisor").log("leftover sweep not finished: " + e);
    }
    childRecord.clearLater();
    childRecord.flush();
    runningWaiters.forEach(waiter -> waiter.completeExceptionally(new IllegalStateException("the supervisor stopped")));
    runningWaiters.clear();
    cancelTimer();
    stopProbing();
    delivery.close();
    transition(STOPPED, why, exit);
  }

  /** Writes the last config received; false (logged, kept as the last error) when the file cannot take it. */
  private boolean writeConfig() {
    Optional<String> error = configs.write();
    if (error.isPresent()) {
      lastError = new SupervisorSnapshot.LastError(error.get(), clock.instant());
      log.atError().addKeyValue("worker", "supervisor").log(error.get());
      return false;
    }
    log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("configPath", configFile.toString())
        .log("config file written");
    events.add(SupervisorListener::configWritten);
    return true;
  }

  /** Runs an operation on a child; a failure is logged and recorded, never thrown. */
  private void safely(ChildProcess process, String what, Runnable operation) {
    try {
      operation.run();
    } catch (RuntimeException e) {
      String message = what + " to the python process failed: " + e.getMessage();
      lastError = new SupervisorSnapshot.LastError(message, clock.instant());
      logChild(log.atError(), process).setCause(e).log(message);
    }
  }

  private LaunchSpec launchSpec() {
    Map<String, String> environment = new LinkedHashMap<>(template.environment());
    environment.remove("VIRTUAL_ENV");
    environment.putIfAbsent("PYTHONUNBUFFERED", "1");
    environment.put(BINDING_ADDRESS, binding.toString());
    environment.put(CONFIG_FILE, configFile.toString());
    return new LaunchSpec(template.uv(), template.uvArgs(), template.script(), template.directory(), environment);
  }

  /** Changes the state; {@code exit} is the exit that caused it, if any, for the log line. */
  private void transition(SupervisorState to, String why, ExitStatus exit) {
    SupervisorState from = state;
    state = to;
    detail = why;
    LoggingEventBuilder line = logChild(log.atInfo(), child).addKeyValue("state", to).addKeyValue("from", from)
        .addKeyValue("cause", why);
    if (exit != null) {
      line.addKeyValue("exitCode", exit.code());
      exit.signal().ifPresent(signal -> line.addKeyValue("signal", signal));
    }
    line.log("supervisor " + from + " -> " + to);
    SupervisorSnapshot now = buildSnapshot();
    events.add(l -> l.stateChanged(from, now));
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

  private static LoggingEventBuilder logChild(LoggingEventBuilder line, ChildProcess process) {
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

  /** Passes address-delivery callbacks on to the supervisor's listeners. */
  private static final class FanOut extends SupervisorListener {
    private final List<SupervisorListener> target;

    FanOut(List<SupervisorListener> target) {
      this.target = target;
    }

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
