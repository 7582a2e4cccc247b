package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;
import ru.txix.isp.pywrapper.internal.time.ExecutorScheduler;
import ru.txix.isp.pywrapper.internal.time.Scheduler;

/**
 * Assembles a {@link PySupervisor}; only the binding address and the config file are required. The methods
 * marked "for testing" replace the real threads, clock, processes and network with fakes.
 */
public final class PySupervisorBuilder {
  SupervisorSettings settings = SupervisorSettings.DEFAULTS;
  LaunchSpec template = new LaunchSpec("uv", List.of(), "main.py", Path.of(""), System.getenv());
  BindingAddress binding;
  Path configFile;
  Path childRecord;
  ProcessLauncher launcher;
  Scheduler scheduler;
  Executor loop;
  ReadinessProbe readiness;
  LivenessProbe liveness;
  BindingCheck bindingCheck;
  Executor reaper;
  Executor recordWriter;
  boolean overlap;
  ListeningSocket inheritedSocket;
  private Path notifyDirectory;
  AddressDelivery delivery;
  Clock clock = Clock.systemUTC();
  final List<SupervisorListener> listeners = new ArrayList<>();
  final List<AutoCloseable> owned = new ArrayList<>();

  PySupervisorBuilder() {
  }

  public PySupervisorBuilder settings(SupervisorSettings settings) {
    this.settings = requireNonNull(settings, "settings");
    return this;
  }

  /**
   * What to run, before the supervisor adds {@code BINDING_ADDRESS} and {@code CONFIG_FILE} to the
   * environment (and {@code PYTHONUNBUFFERED=1} unless set, and removes {@code VIRTUAL_ENV}).
   * Default: {@code uv run main.py} in the working directory with the host's environment.
   */
  public PySupervisorBuilder command(LaunchSpec template) {
    this.template = requireNonNull(template, "template");
    return this;
  }

  public PySupervisorBuilder bindingAddress(BindingAddress binding) {
    this.binding = requireNonNull(binding, "binding");
    return this;
  }

  public PySupervisorBuilder configFile(Path configFile) {
    this.configFile = requireNonNull(configFile, "configFile");
    return this;
  }

  /**
   * The state file naming the running child, for reaping it after the host was killed (default:
   * {@code .<config file name>.child} beside the config file).
   */
  public PySupervisorBuilder childRecord(Path childRecord) {
    this.childRecord = requireNonNull(childRecord, "childRecord");
    return this;
  }

  /**
   * {@code python.socket: inherit}: the host holds the listening {@code socket} (bound before the supervisor
   * starts) and every child gets it as fd 3 ({@code LISTEN_FDS=1}); spawning is native. Without notification,
   * readiness is the {@link InheritedSocketReadinessProbe} heuristic.
   */
  public PySupervisorBuilder inheritedSocket(ListeningSocket socket) {
    this.inheritedSocket = requireNonNull(socket, "socket");
    return this;
  }

  /**
   * {@code python.readiness: notify}: each child gets {@code NOTIFY_SOCKET} (a socket in {@code directory}) and is
   * ready when it sends {@code READY=1}. With an inherited socket too, a config change overlaps the children.
   */
  public PySupervisorBuilder readinessByNotification(Path directory) {
    this.notifyDirectory = requireNonNull(directory, "directory");
    return this;
  }

  public PySupervisorBuilder listener(SupervisorListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * For testing: how children are started (default: {@link NativeProcessLauncher} where {@code posix_spawn} can
   * be used, else {@link UvProcessLauncher}).
   */
  public PySupervisorBuilder launcher(ProcessLauncher launcher) {
    this.launcher = requireNonNull(launcher, "launcher");
    return this;
  }

  /** For testing: timers (default: a daemon thread). */
  public PySupervisorBuilder scheduler(Scheduler scheduler) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** For testing: the thread inputs are handled on (default: one daemon thread, "py-supervisor"). */
  public PySupervisorBuilder executor(Executor loop) {
    this.loop = requireNonNull(loop, "loop");
    return this;
  }

  /** For testing: readiness probe (default: {@link ListeningReadinessProbe} every {@code readinessProbeInterval}). */
  public PySupervisorBuilder readinessProbe(ReadinessProbe probe) {
    this.readiness = requireNonNull(probe, "probe");
    return this;
  }

  /** For testing: liveness probe (default: {@link HttpLivenessProbe}, used only when liveness is configured). */
  public PySupervisorBuilder livenessProbe(LivenessProbe probe) {
    this.liveness = requireNonNull(probe, "probe");
    return this;
  }

  /** For testing: the check that the binding address is free before a spawn (default: {@link BindingCheck#system()}). */
  public PySupervisorBuilder bindingCheck(BindingCheck check) {
    this.bindingCheck = requireNonNull(check, "check");
    return this;
  }

  /**
   * For testing: where the children a previous host left running are reaped, off the supervisor thread, before the
   * first start (default: a daemon thread, "py-orphans", ended when idle).
   */
  public PySupervisorBuilder reaper(Executor reaper) {
    this.reaper = requireNonNull(reaper, "reaper");
    return this;
  }

  /**
   * For testing: where the child record is written and removed, in order (default: a daemon thread,
   * "py-child-record", ended when idle).
   */
  public PySupervisorBuilder recordWriter(Executor writer) {
    this.recordWriter = requireNonNull(writer, "writer");
    return this;
  }

  /** For testing: address delivery (default: HTTP POST with {@code deliveryBackoff}). */
  public PySupervisorBuilder addressDelivery(AddressDelivery delivery) {
    this.delivery = requireNonNull(delivery, "delivery");
    return this;
  }

  /** For testing: wall clock for the snapshot's timestamps. */
  public PySupervisorBuilder clock(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    return this;
  }

  public PySupervisor build() {
    requireNonNull(binding, "bindingAddress is required");
    requireNonNull(configFile, "configFile is required");
    boolean inherit = inheritedSocket != null;
    if (launcher == null) {
      // posix_spawn where glibc has it (no helper program, a clean signal mask, fd 3 when inherited); else the JDK.
      launcher = inherit || NativeSpawn.available() ? new NativeProcessLauncher(inheritedSocket)
          : new UvProcessLauncher();
    }
    if (scheduler == null) {
      scheduler = own(new ExecutorScheduler("py-supervisor-timer"));
    }
    if (loop == null) {
      ExecutorService executor = Executors.newSingleThreadExecutor(NamedThreads.daemon("py-supervisor"));
      owned.add(executor::shutdown);
      loop = executor;
    }
    if (readiness == null && notifyDirectory != null) {
      readiness = own(new NotifyReadinessProbe(notifyDirectory));
    }
    if (readiness == null || (liveness == null && settings.liveness().enabled())) {
      ExecutorScheduler probes = own(new ExecutorScheduler("py-probe"));
      if (readiness == null) {
        readiness = inherit
            ? new InheritedSocketReadinessProbe(probes, settings.readinessProbeInterval(), inheritedSocket)
            : new ListeningReadinessProbe(probes, settings.readinessProbeInterval());
      }
      if (liveness == null && settings.liveness().enabled()) {
        liveness = new HttpLivenessProbe(probes);
      }
    }
    if (liveness == null) {
      liveness = LivenessProbe.NONE;
    }
    if (reaper == null) {
      ExecutorService orphans = NamedThreads.pool("py-orphans", 1);
      owned.add(orphans::shutdown);
      reaper = orphans;
    }
    if (recordWriter == null) {
      recordWriter = ChildRecord.WRITER;
    }
    if (bindingCheck == null) {
      bindingCheck = inherit ? BindingCheck.NONE : BindingCheck.system(); // inherited: the host holds the port
    }
    overlap = inherit && notifyDirectory != null;
    return new PySupervisor(this);
  }

  <T extends AutoCloseable> T own(T closeable) {
    owned.add(closeable);
    return closeable;
  }
}
