package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.BACKOFF;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.IDLE;
import static ru.txix.isp.pywrapper.supervisor.SupervisorState.OVERLAPPING;
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
import ru.txix.isp.pywrapper.internal.posix.TcpListeners;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.AwaitRunning;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ConfigReceived;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.HostsReceived;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.LeftoversKilled;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.LivenessChecked;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ProcessExited;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ProcessReady;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.StopRequested;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.TimerFired;
import tools.jackson.databind.JsonNode;

/**
 * Runs the Python service as a child ({@code uv run main.py}) and keeps it running: one state machine
 * ({@link SupervisorState}) on one thread.
 *
 * <p>Inputs — a config, a module's host list, a child's exit, readiness or liveness, the timer, a stop — are
 * queued by the public methods (callable from any thread, never blocking) and handled one at a time on the
 * supervisor thread, which alone changes the state. Each child gets a generation number; exits, readiness and
 * liveness of an older generation are ignored. The one timer ({@link PhaseTimer}) means what the phase says.
 *
 * <ul>
 *   <li>A config different from the last one received (as a JSON value) is written atomically to the config
 *       file, then the child is replaced (RESTARTING: SIGTERM, then the next start once it is gone). Configs
 *       arriving within {@link SupervisorSettings#configRestartInterval()} of a start collapse into one restart.
 *   <li>A child that exits by itself is started again after a back-off (BACKOFF): {@code restartDelay}, doubled
 *       after each further quick exit up to {@code restartDelayMax}; a child that lived
 *       {@code backoffResetAfter} starts it afresh. After {@code maxRestarts} quick exits in a row the supervisor
 *       gives up (STOPPED; the host exits 1). A failed start — no uv, the binding address held by another
 *       process — is retried every {@code startRetryDelay}. A config or a stop during the wait acts at once.
 *   <li>A child is ready when its own socket listens on the binding address ({@link ReadinessProbe}). One that
 *       is not ready within {@code startTimeout} is reported, and replaced if so configured. A running child
 *       that fails its liveness check {@code failureThreshold} times in a row is replaced.
 *   <li>Stopping sends SIGTERM once to each process of the child, SIGKILL to the group after
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

  private final SupervisorSettings settings;
  private final LaunchSpec template;
  private final BindingAddress binding;
  private final ConfigFile configFile;
  private final ConfigBook configs;
  private final ChildRecord childRecord;
  private final ProcessLauncher launcher;
  private final Scheduler scheduler;
  private final Executor loop;
  private final ReadinessProbe readiness;
  private final LivenessProbe liveness;
  private final BindingCheck bindingCheck;
  private final boolean overlap;
  private final AddressDelivery delivery;
  private final Clock clock;
  private final List<AutoCloseable> owned;
  private final List<SupervisorListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile SupervisorSnapshot snapshot = SupervisorSnapshot.initial();
  private volatile ChildProcess currentProcess;

  // Everything below is confined to the supervisor thread.
  private final ArrayDeque<SupervisorInput> inbox = new ArrayDeque<>();
  private final List<Consumer<SupervisorListener>> events = new ArrayList<>();
  private final PhaseTimer timer;
  private final RepeatedFailures startFailures;
  private final Map<String, List<String>> hosts = new LinkedHashMap<>();
  private final List<CompletableFuture<Void>> runningWaiters = new ArrayList<>();
  private final Map<RestartCause, Long> restarts = new EnumMap<>(RestartCause.class);
  private boolean draining;
  private SupervisorState state = IDLE;
  private String detail = "waiting for the first config";
  /** The child that serves (or starts, or stops); null in IDLE, BACKOFF and STOPPED. */
  private Child child;
  /** OVERLAPPING only: the new child starting while {@link #child} still serves. */
  private Child incoming;
  /** Children stopped after an overlap, by generation, until they are gone. */
  private final Map<Long, Child> retired = new LinkedHashMap<>();
  private long generation;
  private boolean orphansReaped;
  /** Why the child is being replaced (RESTARTING), or what the next start counts as (BACKOFF). */
  private RestartCause cause;
  private SupervisorSnapshot.Backoff backoff;
  private int quickExits;
  private long starts;
  private SupervisorSnapshot.LastExit lastExit;
  private SupervisorSnapshot.LastError lastError;
  private CompletableFuture<List<Long>> lastSweep = CompletableFuture.completedFuture(List.of());

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
    this.readiness = builder.readiness;
    this.liveness = builder.liveness;
    this.bindingCheck = builder.bindingCheck;
    this.overlap = builder.overlap;
    this.delivery = builder.delivery != null ? builder.delivery
        : builder.own(new HttpAddressDelivery(scheduler, settings.deliveryBackoff(), new FanOut(listeners)));
    this.clock = builder.clock;
    this.owned = List.copyOf(builder.owned);
    this.listeners.addAll(builder.listeners);
    this.timer = new PhaseTimer(scheduler, token -> submit(new TimerFired(token)));
    this.startFailures = new RepeatedFailures(RepeatedFailures.DEFAULT_INTERVAL, scheduler::nanoTime);
    for (RestartCause each : RestartCause.values()) {
      restarts.put(each, 0L);
    }
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
    ChildProcess current = currentProcess;
    if (current != null) {
      log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("pid", current.pid())
          .addKeyValue("pgid", current.pgid()).log("killing the python process group at once");
      current.kill();
    }
  }

  public SupervisorSnapshot snapshot() {
    return snapshot;
  }

  /** The current child's processes as the OS lists them (empty without a child); not for hot paths. */
  public List<ProcessInfo> processes() {
    ChildProcess current = currentProcess;
    return current == null ? List.of() : current.processes();
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
    } else if (input instanceof ProcessReady ready) {
      if (current(ready.generation()) && state == STARTING) {
        enterRunning();
      } else if (incoming != null && incoming.generation == ready.generation()) {
        promoteIncoming();
      }
    } else if (input instanceof LivenessChecked checked) {
      if (current(checked.generation()) && state == RUNNING) {
        onLiveness(checked.failure());
      }
    } else if (input instanceof ProcessExited exited) {
      if (current(exited.generation())) {
        onExit(exited.status());
      } else if (incoming != null && incoming.generation == exited.generation()) {
        onIncomingExit(exited.status());
      } else if (retired.containsKey(exited.generation())) {
        onRetiredExit(retired.remove(exited.generation()), exited.status());
      }
    } else if (input instanceof SupervisorInput.RetiredKillDue due) {
      Child stopping = retired.get(due.generation());
      if (stopping != null) {
        killRetired(stopping);
      }
    } else if (input instanceof TimerFired fired) {
      if (timer.claim(fired.token())) {
        onTimer();
      }
    } else if (input instanceof StopRequested) {
      onStop();
    } else if (input instanceof LeftoversKilled killed) {
      reportLeftovers(killed.child(), killed.pids());
    } else if (input instanceof AwaitRunning waiting) {
      if (state == RUNNING && childRunsDesired()) {
        waiting.future().complete(null);
      } else {
        runningWaiters.add(waiting.future());
      }
    }
  }

  /** The timer means what the phase says. */
  private void onTimer() {
    switch (state) {
      case STARTING, RUNNING -> {
        if (!childRunsDesired() || !configs.fileCurrent()) {
          replaceDue();
        } else if (state == STARTING) {
          startTimedOut();
        }
      }
      case RESTARTING, STOPPING -> escalate();
      case OVERLAPPING -> incomingTimedOut();
      case BACKOFF -> startChild(cause);
      default -> log.debug("timer in {}: nothing to do", state);
    }
  }

  /** True when the child that serves runs the last config received. */
  private boolean childRunsDesired() {
    return child != null && configs.isDesired(child.config);
  }

  private boolean current(long childGeneration) {
    return child != null && child.generation == childGeneration;
  }

  // ---- configs ----

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
    switch (state) {
      case IDLE -> startChild(null);
      case BACKOFF -> {
        timer.cancel();
        startChild(RestartCause.CONFIG_CHANGED);
      }
      case STARTING, RUNNING -> configForRunningChild();
      case OVERLAPPING -> {
        if (!writeConfig()) {
          log.atWarn().addKeyValue("worker", "supervisor").log("the new config is written when the next python "
              + "process starts");
        } // the child starting now is replaced by one with this config once it is ready
      }
      case RESTARTING -> {
        cause = RestartCause.CONFIG_CHANGED; // the next child starts as soon as this one is gone
        if (!writeConfig()) {
          log.atWarn().addKeyValue("worker", "supervisor").log("the new config is written when the next python "
              + "process starts");
        }
      }
      default -> throw new IllegalStateException("Unexpected config in state " + state);
    }
  }

  /** A new config while a child starts or runs: written now, the child replaced once it has run a moment. */
  private void configForRunningChild() {
    if (!writeConfig()) {
      log.atError().addKeyValue("worker", "supervisor").log("the python process keeps running on its previous "
          + "config; writing the new one is retried every " + settings.startRetryDelay().toMillis() + "ms");
      timer.arm(settings.startRetryDelay());
      return;
    }
    if (childRunsDesired()) {
      log.atInfo().addKeyValue("worker", "supervisor").log("config is again the one the python process runs: "
          + "no restart");
      armStartTimeout();
      return;
    }
    long age = scheduler.nanoTime() - child.startNanos;
    long minimum = settings.configRestartInterval().toNanos();
    if (age >= minimum) {
      replaceForConfig();
    } else {
      Duration wait = Duration.ofNanos(minimum - age);
      log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("delay", wait.toMillis() + "ms")
          .log("config changed: restarting the python process once it has run "
              + settings.configRestartInterval().toMillis() + "ms (newer configs join this restart)");
      timer.arm(wait);
    }
  }

  /** The replacement for a newer config is due: make sure the file holds it, then stop the child. */
  private void replaceDue() {
    if (!configs.fileCurrent() && !writeConfig()) {
      timer.arm(settings.startRetryDelay());
      return;
    }
    if (childRunsDesired()) {
      armStartTimeout(); // the config came back to what the child runs
      return;
    }
    replaceForConfig();
  }

  /** A serving child is overlapped by its successor when the socket is inherited and readiness notified. */
  private void replaceForConfig() {
    if (overlap && state == RUNNING) {
      beginOverlap();
    } else {
      beginReplace(RestartCause.CONFIG_CHANGED, "config changed");
    }
  }

  private void onHosts(String module, List<String> list) {
    hosts.put(module, list);
    log.atInfo().addKeyValue("worker", "supervisor").addKeyValue("module", module).addKeyValue("hosts", list)
        .log("module addresses received");
    if (state == RUNNING || state == OVERLAPPING) {
      delivery.hostsChanged(child.generation, module, list);
    }
  }

  // ---- starting ----

  private void startChild(RestartCause why) {
    if (why != null) {
      restarts.merge(why, 1L, Long::sum);
    }
    backoff = null;
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
    Optional<String> taken = bindingCheck.foreignListener(binding);
    if (taken.isPresent()) {
      startFailed(taken.get());
      return;
    }
    Child next;
    try {
      next = spawn(why, STARTING);
    } catch (LaunchException e) {
      startFailed(e.getMessage());
      return;
    }
    child = next;
    currentProcess = next.process;
    transition(STARTING, "started, waiting for it to accept connections on " + binding, null);
    if (!configs.fileCurrent()) {
      timer.arm(settings.startRetryDelay()); // the newer config is written and the child replaced then
    } else {
      armStartTimeout();
    }
  }

  /** Spawns the next child and starts watching it; {@code phase} is the state it is logged with. */
  private Child spawn(RestartCause why, SupervisorState phase) throws LaunchException {
    long next = generation + 1;
    Map<String, String> extra;
    try {
      extra = readiness.prepare(next);
    } catch (java.io.IOException e) {
      throw new LaunchException(template, "cannot prepare readiness notification: " + e.getMessage(), e);
    }
    ChildProcess started;
    try {
      started = launcher.launch(launchSpec(extra));
    } catch (LaunchException | RuntimeException e) {
      readiness.discard(next);
      throw e;
    }
    generation = next;
    startFailures.succeeded().ifPresent(recovery -> log.atInfo().addKeyValue("worker", "supervisor")
        .addKeyValue("attempts", recovery.failures()).log("the python service could be started again after "
            + recovery.failures() + " failed attempts in " + recovery.after().toSeconds() + "s"));
    Child spawned = new Child(started, next, scheduler.nanoTime(), clock.instant(), configs.written());
    starts++;
    childRecord.writeLater(started);
    started.onExit().whenComplete((status, error) ->
        submit(new ProcessExited(spawned.generation, status != null ? status : new ExitStatus(-1))));
    logChild(log.atInfo(), spawned).addKeyValue("state", phase).addKeyValue("bindingAddress", binding.toString())
        .addKeyValue("configPath", configFile.toString()).addKeyValue("modulePath", template.script())
        .addKeyValue("command", template.commandLine()).addKeyValue("cause", why == null ? "" : why.label())
        .log("python service started");
    events.add(l -> l.processStarted(started.pid(), started.pgid()));
    spawned.readiness = readiness.awaitReady(started, next, binding,
        () -> submit(new ProcessReady(spawned.generation)));
    return spawned;
  }

  // ---- overlap: the next child starts while this one serves ----

  private void beginOverlap() {
    timer.cancel();
    Child next;
    try {
      next = spawn(RestartCause.CONFIG_CHANGED, OVERLAPPING);
    } catch (LaunchException e) {
      lastError = new SupervisorSnapshot.LastError(e.getMessage(), clock.instant());
      log.atError().addKeyValue("worker", "supervisor").log("start failed: " + e.getMessage() + "; the python "
          + "process keeps serving its previous config, retried in " + settings.startRetryDelay().toMillis() + "ms");
      events.add(l -> l.startFailed(e.getMessage()));
      timer.arm(settings.startRetryDelay());
      return;
    }
    restarts.merge(RestartCause.CONFIG_CHANGED, 1L, Long::sum);
    incoming = next;
    transition(OVERLAPPING, "a new python process starts with the new config while the old one serves", null);
    if (!settings.startTimeout().isZero()) {
      timer.arm(settings.startTimeout());
    }
  }

  /** The new child is ready: it serves from now on; the old one gets SIGTERM and is let go. */
  private void promoteIncoming() {
    Child old = child;
    Child next = incoming;
    incoming = null;
    timer.cancel();
    retire(old, "its successor is ready");
    child = next;
    currentProcess = next.process;
    enterRunning();
  }

  /** The new child exited before it was ready: the old one goes on; the config is retried after a back-off. */
  private void onIncomingExit(ExitStatus status) {
    Child failed = incoming;
    incoming = null;
    failed.forget();
    lastSweep = sweep(failed);
    Duration lived = Duration.ofNanos(scheduler.nanoTime() - failed.startNanos);
    quickExits = lived.compareTo(settings.backoffResetAfter()) >= 0 ? 1 : quickExits + 1;
    keepTheOldOne(failed, "the new python process exited with " + status.describe() + " before it was ready");
  }

  /** The new child was not ready within the start timeout: it is stopped, the old one goes on. */
  private void incomingTimedOut() {
    Child slow = incoming;
    incoming = null;
    retire(slow, "not ready within " + seconds(settings.startTimeout()));
    quickExits++;
    keepTheOldOne(slow, "the new python process was not ready within " + seconds(settings.startTimeout())
        + " (python.startTimeout)");
  }

  private void keepTheOldOne(Child failed, String why) {
    Duration delay = crashDelay();
    String message = "config not applied: " + why + "; the previous python process keeps serving, retrying in "
        + seconds(delay);
    lastError = new SupervisorSnapshot.LastError(message, clock.instant());
    logChild(log.atError(), failed).addKeyValue("quickExits", quickExits).log(message);
    transition(RUNNING, message, null);
    timer.arm(delay); // RUNNING with the file ahead of the child: the timer means "replace"
    events.add(l -> l.restartScheduled(delay, RestartCause.CONFIG_CHANGED));
  }

  /** SIGTERM once per process to a child that is no longer the one that serves; SIGKILL after stopTimeout. */
  private void retire(Child old, String why) {
    old.stopWatching();
    delivery.childGone(old.generation);
    retired.put(old.generation, old);
    logChild(log.atInfo(), old).log("stopping the previous python service (" + why + "): sending SIGTERM");
    old.killDeadline = scheduler.schedule(settings.stopTimeout(), () -> submit(
        new SupervisorInput.RetiredKillDue(old.generation)));
    safely(old, "SIGTERM", old.process::terminate);
  }

  private void killRetired(Child old) {
    logChild(log.atWarn(), old).addKeyValue("timeout", settings.stopTimeout().toMillis() + "ms")
        .log(old.killSent ? "process still alive after SIGKILL, sending SIGKILL again"
            : "timeout, sending SIGKILL to process group");
    old.killSent = true;
    old.killDeadline = scheduler.schedule(settings.stopTimeout(), () -> submit(
        new SupervisorInput.RetiredKillDue(old.generation)));
    safely(old, "SIGKILL", old.process::kill);
  }

  private void onRetiredExit(Child old, ExitStatus status) {
    old.forget();
    lastSweep = sweep(old);
    logExit(old, status, log.atInfo(), "previous python service exited with " + status.describe());
    events.add(l -> l.processExited(old.pid(), status, true));
    if (state == STOPPING && child == null && retired.isEmpty()) {
      finish("python process stopped", status);
    }
  }

  /** While STARTING: the timer stands for the start timeout (if any, and not reported yet). */
  private void armStartTimeout() {
    if (state != STARTING || settings.startTimeout().isZero() || child.startTimeoutReported) {
      timer.cancel();
      return;
    }
    long left = settings.startTimeout().toNanos() - (scheduler.nanoTime() - child.startNanos);
    timer.arm(Duration.ofNanos(Math.max(0, left)));
  }

  private void startTimedOut() {
    child.startTimeoutReported = true;
    ChildProcess process = child.process;
    boolean alive = !process.onExit().isDone();
    List<ProcessInfo> processes = process.processes();
    String what = "the python service has not accepted connections on " + binding + " after "
        + settings.startTimeout().toSeconds() + "s (python.startTimeout): pid " + process.pid()
        + (alive ? " alive" : " gone") + ", its processes " + processes.stream()
            .map(p -> p.pid() + " (" + p.command() + ")").toList()
        + ", listening on " + (TcpListeners.available()
            ? TcpListeners.heldBy(processes.stream().map(ProcessInfo::pid).toList()) : "(unknown here)");
    boolean restart = settings.startTimeoutAction() == SupervisorSettings.StartTimeoutAction.RESTART;
    logChild(log.atWarn(), child).addKeyValue("timeout", settings.startTimeout().toMillis() + "ms")
        .log(what + (restart ? "; replacing it" : ""));
    lastError = new SupervisorSnapshot.LastError(what, clock.instant());
    if (restart) {
      beginReplace(RestartCause.START_TIMEOUT, "not accepting connections after "
          + settings.startTimeout().toSeconds() + "s");
    }
  }

  private void startFailed(String message) {
    lastError = new SupervisorSnapshot.LastError(message, clock.instant());
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
    enterBackoff(delay, RestartCause.START_FAILED, "start failed, retrying in " + delay.toMillis() + "ms: "
        + message, null);
  }

  private void enterRunning() {
    child.readiness.cancel();
    if (childRunsDesired()) {
      timer.cancel(); // no start timeout any more, and no replacement due
    }
    transition(RUNNING, "accepting connections on " + binding, null);
    Child ready = child;
    logChild(log.atInfo(), ready).addKeyValue("state", RUNNING)
        .log("python service ready: accepting connections on " + binding);
    events.add(l -> l.processReady(ready.pid()));
    delivery.childReady(ready.generation, binding, Collections.unmodifiableMap(new LinkedHashMap<>(hosts)));
    if (settings.liveness().enabled()) {
      ready.liveness = liveness.watch(binding, settings.liveness(),
          failure -> submit(new LivenessChecked(ready.generation, failure)));
    }
    if (childRunsDesired()) { // with a replacement due, waiters wait for the next child
      runningWaiters.forEach(waiter -> waiter.complete(null));
      runningWaiters.clear();
    }
  }

  private void onLiveness(Optional<String> failure) {
    if (failure.isEmpty()) {
      if (child.livenessFailures > 0) {
        logChild(log.atInfo(), child).log("liveness check passed again after " + child.livenessFailures
            + " failure(s)");
      }
      child.livenessFailures = 0;
      return;
    }
    int failures = ++child.livenessFailures;
    int threshold = settings.liveness().failureThreshold();
    logChild(log.atWarn(), child).addKeyValue("failures", failures).log("liveness check failed (" + failures
        + " of " + threshold + "): " + failure.get());
    if (failures >= threshold) {
      lastError = new SupervisorSnapshot.LastError("liveness: " + failure.get(), clock.instant());
      beginReplace(RestartCause.LIVENESS, "liveness failed " + failures + " times in a row (" + failure.get() + ")");
    }
  }

  // ---- stopping and exits ----

  private void beginReplace(RestartCause why, String reason) {
    cause = why;
    timer.cancel();
    transition(RESTARTING, "replacing the python process: " + reason, null);
    logChild(log.atInfo(), child).addKeyValue("state", RESTARTING).addKeyValue("cause", why.label())
        .log("replacing the python service (" + reason + "): sending SIGTERM");
    sendTerm();
  }

  private void onStop() {
    switch (state) {
      case IDLE -> finish("stop requested before any config", null);
      case BACKOFF -> {
        timer.cancel();
        finish("stop requested while waiting to restart", null);
      }
      case STARTING, RUNNING -> {
        timer.cancel();
        sendTerm(); // first: the child's own exit is the long part of a stop
        transition(STOPPING, "stop requested", null);
        logChild(log.atInfo(), child).addKeyValue("state", STOPPING).log("stopping the python service: sending "
            + "SIGTERM");
      }
      case RESTARTING -> transition(STOPPING, "stop requested while replacing the python process", null);
      case OVERLAPPING -> {
        timer.cancel();
        Child next = incoming;
        incoming = null;
        retire(next, "stop requested");
        sendTerm();
        transition(STOPPING, "stop requested", null);
        logChild(log.atInfo(), child).addKeyValue("state", STOPPING).log("stopping the python service: sending "
            + "SIGTERM");
      }
      default -> log.debug("stop already in progress");
    }
  }

  private void sendTerm() {
    child.stopWatching();
    delivery.childGone(child.generation);
    timer.arm(settings.stopTimeout()); // first: SIGKILL follows even if SIGTERM fails
    Child stopping = child;
    safely(stopping, "SIGTERM", stopping.process::terminate);
  }

  private void escalate() {
    Child stopping = child;
    timer.arm(settings.stopTimeout()); // first: a failing kill must not end the retries
    String message = stopping.killSent ? "process still alive after SIGKILL, sending SIGKILL again"
        : "timeout, sending SIGKILL to process group";
    logChild(log.atWarn(), stopping).addKeyValue("timeout", settings.stopTimeout().toMillis() + "ms").log(message);
    safely(stopping, "SIGKILL", stopping.process::kill);
    if (!stopping.killSent) {
      stopping.killSent = true;
      events.add(l -> l.stopEscalatedToKill(stopping.pid()));
    }
  }

  private void onExit(ExitStatus status) {
    Child exited = child;
    boolean expected = state == RESTARTING || state == STOPPING;
    child = null;
    currentProcess = null;
    exited.forget();
    delivery.childGone(exited.generation);
    timer.cancel();
    Instant now = clock.instant();
    lastExit = new SupervisorSnapshot.LastExit(status, now);
    events.add(l -> l.processExited(exited.pid(), status, expected));
    lastSweep = sweep(exited);
    Duration lived = Duration.ofNanos(scheduler.nanoTime() - exited.startNanos);
    switch (state) {
      case OVERLAPPING -> {
        logExit(exited, status, log.atWarn(), "python service exited with " + status.describe()
            + " while its successor was starting");
        child = incoming;
        incoming = null;
        currentProcess = child.process;
        transition(STARTING, "started, waiting for it to accept connections on " + binding, status);
        armStartTimeout();
      }
      case STARTING, RUNNING -> {
        if (!configs.isDesired(exited.config)) {
          logExit(exited, status, log.atWarn(), "python service exited with " + status.describe()
              + " while a new config was waiting: starting it with the new config");
          startChild(RestartCause.CONFIG_CHANGED);
        } else {
          afterQuickExitOrNot(exited, status, lived, RestartCause.EXITED, "python service exited with "
              + status.describe());
        }
      }
      case RESTARTING -> {
        logExit(exited, status, log.atInfo(), "python service exited with " + status.describe());
        if (cause == RestartCause.CONFIG_CHANGED || !configs.isDesired(exited.config)) {
          startChild(RestartCause.CONFIG_CHANGED);
        } else {
          afterQuickExitOrNot(exited, status, lived, cause, "replaced python service exited with "
              + status.describe());
        }
      }
      case STOPPING -> {
        logExit(exited, status, log.atInfo(), "python service exited with " + status.describe());
        if (retired.isEmpty()) {
          finish("python process stopped", status);
        }
      }
      default -> throw new IllegalStateException("Unexpected exit in state " + state);
    }
  }

  /**
   * The crash back-off: a child that lived less than {@code backoffResetAfter} is a quick exit; each quick exit in
   * a row doubles the wait from {@code restartDelay} up to {@code restartDelayMax}; after {@code maxRestarts} of
   * them the supervisor gives up.
   */
  private void afterQuickExitOrNot(Child exited, ExitStatus status, Duration lived, RestartCause why,
                                   String what) {
    quickExits = lived.compareTo(settings.backoffResetAfter()) >= 0 ? 1 : quickExits + 1;
    String after = what + " after " + seconds(lived);
    if (settings.maxRestarts() > 0 && quickExits > settings.maxRestarts()) {
      String reason = "giving up: the python service exited quickly " + quickExits + " times in a row "
          + "(python.maxRestarts: " + settings.maxRestarts() + "); last: " + status.describe();
      logExit(exited, status, log.atError(), "fatal: " + reason);
      lastError = new SupervisorSnapshot.LastError(reason, clock.instant());
      finish(reason, status);
      events.add(l -> l.gaveUp(reason));
      return;
    }
    Duration delay = crashDelay();
    String why2 = "restarting in " + seconds(delay) + " after " + status.describe()
        + (quickExits > 1 ? " (" + quickExits + " quick exits in a row)" : "");
    enterBackoff(delay, why, why2, status);
    logExit(exited, status, log.atWarn(), after + "; " + why2);
  }

  /** restartDelay doubled per quick exit in a row (the first waits restartDelay), at most restartDelayMax. */
  private Duration crashDelay() {
    long factor = 1L << Math.min(30, Math.max(0, quickExits - 1));
    Duration delay = settings.restartDelay().multipliedBy(factor);
    return delay.compareTo(settings.restartDelayMax()) > 0 || delay.isNegative() ? settings.restartDelayMax() : delay;
  }

  private void enterBackoff(Duration delay, RestartCause next, String why, ExitStatus exit) {
    cause = next;
    backoff = new SupervisorSnapshot.Backoff(delay, clock.instant().plus(delay), next);
    timer.arm(delay);
    if (state == BACKOFF) {
      detail = why; // the same state: no transition to log
    } else {
      transition(BACKOFF, why, exit);
    }
    Duration scheduled = delay;
    events.add(l -> l.restartScheduled(scheduled, next));
  }

  /** Kills the exited child's group now and sweeps its escaped descendants in the background. */
  private CompletableFuture<List<Long>> sweep(Child exited) {
    CompletableFuture<List<Long>> sweep;
    try {
      sweep = exited.process.cleanUp();
    } catch (RuntimeException e) {
      logChild(log.atError(), exited).setCause(e).log("cleaning up after the python process failed");
      return CompletableFuture.completedFuture(List.of());
    }
    sweep.thenAccept(pids -> submit(new LeftoversKilled(exited.process, pids)));
    return sweep;
  }

  private void reportLeftovers(ChildProcess exited, List<Long> pids) {
    if (!pids.isEmpty()) {
      log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("pid", exited.pid())
          .addKeyValue("pgid", exited.pgid()).addKeyValue("killed", pids)
          .log("killed processes the python child left behind");
      events.add(l -> l.leftoversKilled(pids));
    }
  }

  private void finish(String why, ExitStatus exit) {
    try {
      lastSweep.get(2, TimeUnit.SECONDS); // the host may exit next: nothing of the child may be left
    } catch (Exception e) {
      log.atWarn().addKeyValue("worker", "supervisor").log("leftover sweep not finished: " + e);
    }
    childRecord.clearNow();
    runningWaiters.forEach(waiter -> waiter.completeExceptionally(new IllegalStateException("the supervisor stopped")));
    runningWaiters.clear();
    timer.cancel();
    backoff = null;
    delivery.close();
    if (readiness instanceof AutoCloseable closeable) {
      closeQuietly(closeable);
    }
    transition(STOPPED, why, exit);
  }

  // ---- helpers ----

  /** Writes the last config received; false (logged, kept as the last error) when the file cannot take it. */
  private boolean writeConfig() {
    Optional<String> error = configs.write();
    if (error.isPresent()) {
      lastError = new SupervisorSnapshot.LastError(error.get(), clock.instant());
      log.atError().addKeyValue("worker", "supervisor").log(error.get());
      return false;
    }
    log.atDebug().addKeyValue("worker", "supervisor").addKeyValue("configPath", configFile.toString())
        .log("config file written");
    events.add(SupervisorListener::configWritten);
    return true;
  }

  /** Runs an operation on a child; a failure is logged and recorded, never thrown. */
  private void safely(Child target, String what, Runnable operation) {
    try {
      operation.run();
    } catch (RuntimeException e) {
      String message = what + " to the python process failed: " + e.getMessage();
      lastError = new SupervisorSnapshot.LastError(message, clock.instant());
      logChild(log.atError(), target).setCause(e).log(message);
    }
  }

  private LaunchSpec launchSpec(Map<String, String> extra) {
    Map<String, String> environment = new LinkedHashMap<>(template.environment());
    environment.putAll(extra);
    environment.remove("VIRTUAL_ENV");
    environment.putIfAbsent("PYTHONUNBUFFERED", "1");
    environment.put(BINDING_ADDRESS, binding.toString());
    environment.put(CONFIG_FILE, configFile.toString());
    return new LaunchSpec(template.uv(), template.uvArgs(), template.script(), template.directory(), environment);
  }

  /** Changes the state (logged at debug: the event that caused it has its own line); {@code exit} if one did. */
  private void transition(SupervisorState to, String why, ExitStatus exit) {
    SupervisorState from = state;
    state = to;
    detail = why;
    LoggingEventBuilder line = logChild(log.atDebug(), child).addKeyValue("state", to).addKeyValue("from", from)
        .addKeyValue("cause", why);
    if (exit != null) {
      line.addKeyValue("exitCode", exit.code());
    }
    line.log("supervisor " + from + " -> " + to);
    SupervisorSnapshot now = buildSnapshot();
    events.add(l -> l.stateChanged(from, now));
  }

  private void logExit(Child exited, ExitStatus status, LoggingEventBuilder line, String message) {
    logChild(line, exited).addKeyValue("exitCode", status.code()).addKeyValue("state", state)
        .addKeyValue("quickExits", quickExits);
    status.signal().ifPresent(signal -> line.addKeyValue("signal", signal));
    line.log(message);
  }

  private static LoggingEventBuilder logChild(LoggingEventBuilder line, Child process) {
    line.addKeyValue("worker", "supervisor");
    if (process != null) {
      line.addKeyValue("pid", process.pid()).addKeyValue("pgid", process.process.pgid());
    }
    return line;
  }

  private static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  private SupervisorSnapshot buildSnapshot() {
    return new SupervisorSnapshot(state, detail, child == null ? null : child.pid(),
        child == null ? null : child.process.pgid(), generation, child == null ? null : child.startedAt, starts,
        restarts, lastExit, lastError, hosts, state == BACKOFF ? backoff : null, quickExits);
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
