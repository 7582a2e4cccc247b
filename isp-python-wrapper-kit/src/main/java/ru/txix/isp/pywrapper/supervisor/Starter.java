package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.OrphansReaped;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ProcessExited;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ProcessReady;

/**
 * Starts children: the config file brought up to date, the binding address checked, the command and environment
 * made from the template, readiness notification prepared, the child spawned, recorded for orphan reaping and
 * watched — its exit and its readiness come back as inputs. A start that fails is logged (the first failure of a
 * run in full, then a summary now and then), kept as the last error and told to the listeners. Confined to the
 * supervisor thread.
 */
final class Starter {
  private final SupervisorSettings settings;
  private final LaunchSpec template;
  private final BindingAddress binding;
  private final ConfigFile configFile;
  private final ConfigBook configs;
  private final ProcessLauncher launcher;
  private final ReadinessProbe readiness;
  private final BindingCheck bindingCheck;
  private final ChildRecord childRecord;
  private final Executor reaper;
  /** Set while stale children holding the binding address are being reaped (on the reaper's thread). */
  private final AtomicBoolean reapingStale = new AtomicBoolean();
  private final Alarm.Clock alarms;
  private final Clock clock;
  private final Journal journal;
  private final SupervisorLog log;
  private final Consumer<SupervisorInput> submit;

  Starter(PySupervisorBuilder builder, ConfigFile configFile, ConfigBook configs, ChildRecord childRecord,
          Alarm.Clock alarms, Journal journal, SupervisorLog log, Consumer<SupervisorInput> submit) {
    this.settings = builder.settings;
    this.template = builder.template;
    this.binding = builder.binding;
    this.configFile = configFile;
    this.configs = configs;
    this.launcher = builder.launcher;
    this.readiness = builder.readiness;
    this.bindingCheck = builder.bindingCheck;
    this.childRecord = childRecord;
    this.reaper = builder.reaper;
    this.alarms = alarms;
    this.clock = builder.clock;
    this.journal = journal;
    this.log = log;
    this.submit = submit;
  }

  /** True if a previous host recorded a child (beside the config file) that may still run: reap it first. */
  boolean orphansRecorded() {
    return Files.exists(childRecord.path());
  }

  /** Before the first start: kills what a previous host's child left running, off this thread; then OrphansReaped. */
  void reapOrphans() {
    reaper.execute(() -> {
      List<Long> killed = List.of();
      try {
        killed = childRecord.reapOrphans();
      } catch (RuntimeException e) {
        SupervisorLog.reapFailed(e);
      }
      submit.accept(new OrphansReaped(killed));
    });
  }

  /** Kills, off this thread, what a previous host's child holding the binding address left ({@link StaleChildren}). */
  private void reapStaleHolders() {
    if (reapingStale.getAndSet(true)) {
      return;
    }
    reaper.execute(() -> {
      try {
        StaleChildren.reap(binding, configFile.path());
      } catch (RuntimeException e) {
        SupervisorLog.reapFailed(e);
      } finally {
        reapingStale.set(false);
      }
    });
  }

  /** Writes the last config received; false (logged, kept as the last error) when the file cannot take it. */
  boolean writeConfig() {
    Optional<String> error = configs.write();
    if (error.isPresent()) {
      journal.error(error.get());
      log.configNotWritten(error.get());
      return false;
    }
    log.configWritten(configFile);
    journal.event(SupervisorListener::configWritten);
    return true;
  }

  /**
   * A start, counted as {@code why} (none for the first): the newest config written if it can be (else the last
   * one written is used, if any), the binding address checked, the child spawned. Empty when it failed.
   */
  Optional<Child> start(RestartCause why) {
    if (!configs.fileCurrent() && !writeConfig()) {
      if (!configs.anyWritten()) {
        return failed(journal.lastErrorMessage());
      }
      log.startingOnOlderConfig();
    }
    Optional<String> taken = bindingCheck.foreignListener(binding);
    if (taken.isPresent()) {
      reapStaleHolders(); // the next attempt finds the address free if a previous host's child held it
      return failed(taken.get());
    }
    try {
      return Optional.of(spawn(why, SupervisorState.STARTING));
    } catch (LaunchException e) {
      return failed(e.getMessage());
    }
  }

  private Optional<Child> failed(String message) {
    journal.error(message);
    log.startFailed(message, settings.startRetryDelay());
    journal.event(l -> l.startFailed(message));
    return Optional.empty();
  }

  /** The successor of a serving child, started while it serves (empty if that failed: the old one goes on). */
  Optional<Child> overlap() {
    try {
      return Optional.of(spawn(RestartCause.CONFIG_CHANGED, SupervisorState.OVERLAPPING));
    } catch (LaunchException e) {
      journal.error(e.getMessage());
      log.overlapStartFailed(e.getMessage(), settings.startRetryDelay());
      journal.event(l -> l.startFailed(e.getMessage()));
      return Optional.empty();
    }
  }

  /**
   * {@code child} has not accepted connections by the start timeout: reported with what is known (is it alive, its
   * processes, the sockets they listen on), and kept as the last error. True if it is to be replaced.
   */
  boolean reportNotReady(Child child) {
    String what = SupervisorLog.notReady(binding, settings.startTimeout(), child.process);
    boolean replace = settings.startTimeoutAction() == SupervisorSettings.StartTimeoutAction.RESTART;
    log.notReady(child, settings.startTimeout(), what, replace);
    journal.error(what);
    return replace;
  }

  /** Spawns the next child on what the config file holds; {@code state} is the state it is logged with. */
  private Child spawn(RestartCause why, SupervisorState state) throws LaunchException {
    long generation = journal.nextGeneration();
    Map<String, String> extra;
    try {
      extra = readiness.prepare(generation);
    } catch (IOException e) {
      throw new LaunchException(template, "cannot prepare readiness notification: " + e.getMessage(), e);
    }
    ChildProcess started;
    try {
      started = launcher.launch(launchSpec(extra));
    } catch (LaunchException | RuntimeException e) {
      readiness.discard(generation);
      throw e;
    }
    journal.spawned(generation);
    Child child = new Child(started, generation, alarms.nanoTime(), clock.instant(), configs.written());
    childRecord.writeLater(started);
    started.onExit().whenComplete((status, error) ->
        submit.accept(new ProcessExited(generation, status != null ? status : new ExitStatus(-1))));
    log.started(child, state, binding, configFile, template, why);
    journal.event(l -> l.processStarted(started.pid(), started.pgid()));
    child.readiness = readiness.awaitReady(started, generation, binding,
        () -> submit.accept(new ProcessReady(generation)));
    return child;
  }

  private LaunchSpec launchSpec(Map<String, String> extra) {
    Map<String, String> environment = new LinkedHashMap<>(template.environment());
    environment.putAll(extra);
    environment.remove("VIRTUAL_ENV");
    environment.putIfAbsent("PYTHONUNBUFFERED", "1");
    environment.put(PySupervisor.BINDING_ADDRESS, binding.toString());
    environment.put(PySupervisor.CONFIG_FILE, configFile.toString());
    return new LaunchSpec(template.uv(), template.uvArgs(), template.script(), template.directory(), environment);
  }
}
