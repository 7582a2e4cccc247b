package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.AwaitRunning;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ConfigReceived;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.HostsReceived;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.StopRequested;
import tools.jackson.databind.JsonNode;

/**
 * Runs the Python service as a child ({@code uv run main.py}) and keeps it running: one state machine
 * ({@link SupervisorState}) on one thread, from {@link #start()} on.
 *
 * <p>Inputs — a config, a module's host list, a child's exit, readiness or liveness, an alarm, a stop — are queued
 * by the public methods (callable from any thread, never blocking; until {@link #start()} they are held) and
 * handled one at a time on the supervisor thread, which alone changes the state and never blocks: what takes time
 * comes back as an input. Each child gets a generation number; exits, readiness and liveness of an older
 * generation are ignored. A phase holds its own timers ({@link Alarm}), each for one purpose.
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
 *       stop, before {@link #stoppedFuture()} completes).
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
  /** How long the end of a stop waits for the child record's removal (a hung file system must not hold it). */
  private static final Duration RECORD_REMOVAL_AT_MOST = Duration.ofSeconds(2);

  private final BindingAddress binding;
  private final ConfigFile configFile;
  private final Executor loop;
  private final List<AutoCloseable> owned;
  private final List<SupervisorListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final ChildRecord childRecord;
  private final Journal journal;
  private final Phases phases;
  private final Retirement retirement;
  private final SupervisorMachine machine;
  private volatile SupervisorSnapshot snapshot = SupervisorSnapshot.initial();
  private volatile ChildProcess currentProcess;

  /** Guards {@link #held}. */
  private final Object gate = new Object();
  /** The inputs submitted before {@link #start()}, in order; null once started. */
  private List<SupervisorInput> held = new ArrayList<>();
  private CompletableFuture<Void> started;

  // Confined to the supervisor thread.
  private final ArrayDeque<SupervisorInput> inbox = new ArrayDeque<>();
  private boolean draining;
  private boolean settling;

  PySupervisor(PySupervisorBuilder builder) {
    this.binding = builder.binding;
    this.configFile = new ConfigFile(builder.configFile);
    this.childRecord = new ChildRecord(builder.childRecord != null ? builder.childRecord
        : configFile.path().resolveSibling("." + configFile.path().getFileName() + ".child"), builder.recordWriter,
        builder.scheduler);
    this.loop = builder.loop;
    AddressDelivery delivery = builder.delivery != null ? builder.delivery
        : builder.own(new HttpAddressDelivery(builder.scheduler, builder.settings.deliveryBackoff(),
            new FanOut(listeners)));
    this.owned = List.copyOf(builder.owned);
    this.listeners.addAll(builder.listeners);
    Alarm.Clock alarms = new Alarm.Clock(builder.scheduler, this::submit);
    this.journal = new Journal(builder.clock);
    SupervisorLog log = new SupervisorLog(alarms::nanoTime);
    ConfigBook configs = new ConfigBook(configFile);
    Starter starter = new Starter(builder, configFile, configs, childRecord, alarms, journal, log, this::submit);
    this.retirement = new Retirement(builder.settings.stopTimeout(), alarms, delivery, log, journal, this::submit);
    this.phases = new Phases(journal, retirement, log);
    this.machine = new SupervisorMachine(builder, configs, delivery, this::submit, alarms, journal, log, starter,
        retirement, phases);
  }

  public static PySupervisorBuilder builder() {
    return new PySupervisorBuilder();
  }

  /**
   * Starts handling inputs, those submitted before first, in order: a config given before starts the first child
   * (after reaping what a previous host left running, if it recorded a child). Idempotent.
   *
   * @return completes once the inputs submitted before are handled — the first child spawned, or its start
   *     failed, when a config came before (unless a previous host's child is being reaped first)
   */
  public CompletableFuture<Void> start() {
    synchronized (gate) {
      if (held == null) {
        return started;
      }
      List<SupervisorInput> before = held;
      held = null;
      started = new CompletableFuture<>();
      CompletableFuture<Void> handled = started;
      // Under the gate: an input submitted meanwhile queues behind these.
      loop.execute(() -> {
        before.forEach(this::enqueue);
        handled.complete(null);
      });
      return handled;
    }
  }

  /**
   * Kills what a previous host left running of its child, and waits (up to a second) for it to be gone: the child
   * in the record beside the config file, and — only when the binding address is taken — any process holding it
   * that carries this host's config file and the child id of a host that is gone ({@link StaleChildren}). Blocks;
   * for the start-up, before the host binds the address itself ({@code python.socket: inherit}). (Otherwise the
   * supervisor does this itself, off its thread, before its first child.)
   *
   * @return the pids killed
   */
  public List<Long> reapLeftovers() {
    List<Long> killed = new ArrayList<>(childRecord.reapOrphans());
    killed.addAll(StaleChildren.reap(binding, configFile.path()));
    return killed;
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

  /**
   * Starts stopping (idempotent); the future completes once the child is gone, and what it left behind. Before
   * {@link #start()}, it starts the supervisor with the stop first: nothing is spawned, the inputs held are
   * answered as after a stop.
   */
  public CompletableFuture<Void> stopAsync() {
    synchronized (gate) {
      if (held != null) {
        held.add(0, new StopRequested());
        start();
        return stopped;
      }
    }
    submit(new StopRequested());
    return stopped;
  }

  /** Waits up to {@code timeout} for the stop to complete ({@link #stoppedFuture()}); true if it did. */
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

  /**
   * Completes when the supervisor is {@link SupervisorState#STOPPED} and nothing of its children is left (the
   * sweeps after their exits are done, or were waited for 2 s).
   */
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
      SupervisorLog.emergencyKill(current);
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
      SupervisorLog.ignoredAfterStop(input);
      return;
    }
    synchronized (gate) {
      if (held != null) {
        held.add(input);
        return;
      }
    }
    try {
      loop.execute(() -> enqueue(input));
    } catch (RejectedExecutionException e) {
      SupervisorLog.ignoredAfterStop(input); // the loop shut down in between
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

  /**
   * Handles one input (one that does not fit the phase is logged at debug level), then publishes the snapshot and
   * calls the listeners (after the change has finished).
   */
  private void process(SupervisorInput input) {
    try {
      if (!input.dispatch(machine)) {
        SupervisorLog.ignored(phases.state(), input);
      }
    } catch (RuntimeException e) {
      SupervisorLog.handlerFailed(input, e);
    }
    snapshot = phases.snapshot();
    Child shown = phases.shownChild();
    currentProcess = shown == null ? null : shown.process;
    for (Consumer<SupervisorListener> event : journal.takeEvents()) {
      for (SupervisorListener listener : listeners) {
        try {
          event.accept(listener);
        } catch (RuntimeException e) {
          SupervisorLog.listenerFailed(e);
        }
      }
    }
    if (!settling && settled()) {
      settling = true;
      // The record's removal is the last step: the host may exit as soon as the stop completes.
      CompletableFuture<Void> cleared = journal.anySpawned() ? childRecord.clearLater()
          .orTimeout(RECORD_REMOVAL_AT_MOST.toMillis(), TimeUnit.MILLISECONDS)
          : CompletableFuture.completedFuture(null);
      cleared.whenComplete((done, error) -> {
        if (error != null) {
          SupervisorLog.recordNotRemoved(childRecord.path(), RECORD_REMOVAL_AT_MOST, error);
        }
        owned.forEach(PySupervisor::closeQuietly);
        stopped.complete(null);
      });
    }
  }

  /**
   * True once STOPPED and nothing of any child is left (the {@link Retirement}'s final wait). The child record is
   * then removed, off this thread — if this host spawned a child: otherwise it names a previous host's, for the
   * next start to reap.
   */
  private boolean settled() {
    return phases.state() == SupervisorState.STOPPED && retirement.settled();
  }

  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      SupervisorLog.closeFailed(e);
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
