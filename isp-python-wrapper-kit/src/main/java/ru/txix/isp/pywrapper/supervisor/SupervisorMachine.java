package ru.txix.isp.pywrapper.supervisor;

import static ru.txix.isp.pywrapper.supervisor.SupervisorLog.seconds;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.supervisor.Phase.Backoff;
import ru.txix.isp.pywrapper.supervisor.Phase.Idle;
import ru.txix.isp.pywrapper.supervisor.Phase.Overlapping;
import ru.txix.isp.pywrapper.supervisor.Phase.Replacing;
import ru.txix.isp.pywrapper.supervisor.Phase.Running;
import ru.txix.isp.pywrapper.supervisor.Phase.Starting;
import ru.txix.isp.pywrapper.supervisor.Phase.Stopped;
import ru.txix.isp.pywrapper.supervisor.Phase.Stopping;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.BackoffOver;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.LivenessChecked;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.ReplacementDue;
import ru.txix.isp.pywrapper.supervisor.SupervisorInput.StartTimedOut;

/**
 * The supervisor's state machine: one method per input, each deciding by the {@link Phase} what happens (true if
 * the input fitted the phase), and changing it only through {@link Phases} along the edges of {@link Transitions}.
 * Never blocks: what takes time — an exit, a sweep, reaping orphans, a timeout — comes back as an input. Confined
 * to the supervisor thread; {@link PySupervisor} feeds it and publishes what it did.
 */
final class SupervisorMachine implements SupervisorInput.Handler {
  private final SupervisorSettings settings;
  private final BindingAddress binding;
  private final ReadinessProbe readiness;
  private final LivenessProbe liveness;
  private final boolean overlap;
  private final Clock clock;
  private final ConfigBook configs;
  private final AddressDelivery delivery;
  private final Consumer<SupervisorInput> submit;
  private final Alarm.Clock alarms;
  private final Journal journal;
  private final SupervisorLog log;
  private final Starter starter;
  private final Replacements replacements;
  private final Retirement retirement;
  private final Phases phases;
  private final RunningWaiters runningWaiters = new RunningWaiters();

  /** The parts are {@link PySupervisor}'s, which reads the journal and the phase after each input. */
  SupervisorMachine(PySupervisorBuilder builder, ConfigBook configs, AddressDelivery delivery,
                    Consumer<SupervisorInput> submit, Alarm.Clock alarms, Journal journal, SupervisorLog log,
                    Starter starter, Retirement retirement, Phases phases) {
    this.settings = builder.settings;
    this.binding = builder.binding;
    this.readiness = builder.readiness;
    this.liveness = builder.liveness;
    this.overlap = builder.overlap;
    this.clock = builder.clock;
    this.configs = configs;
    this.delivery = delivery;
    this.submit = submit;
    this.alarms = alarms;
    this.journal = journal;
    this.log = log;
    this.starter = starter;
    this.replacements = new Replacements(settings, configs, starter::writeConfig, log, alarms::nanoTime);
    this.retirement = retirement;
    this.phases = phases;
  }

  // ---- configs and hosts ----

  @Override
  public boolean configReceived(SupervisorInput.ConfigReceived input) {
    return switch (phases.state()) {
      case IDLE, STARTING, RUNNING, RESTARTING, OVERLAPPING, BACKOFF -> newConfig(input);
      case STOPPING -> {
        log.configIgnoredWhileStopping();
        yield true;
      }
      case STOPPED -> false;
    };
  }

  private boolean newConfig(SupervisorInput.ConfigReceived input) {
    if (configs.unchanged(input.config())) {
      log.configUnchanged(phases.state());
      journal.event(SupervisorListener::configUnchanged);
      return true;
    }
    configs.receive(input.config());
    Phase phase = phases.now();
    if (phase instanceof Idle idle) { // the first config: what a previous host left running is reaped first
      if (!idle.reaping() && !starter.orphansRecorded()) {
        return startChild(null);
      } else if (!idle.reaping()) { // the start follows OrphansReaped
        phases.stay(new Idle(true), "first config received: reaping the child a previous host left running");
        starter.reapOrphans();
      }
      return true;
    } else if (phase instanceof Backoff) {
      return startChild(RestartCause.CONFIG_CHANGED);
    } else if (phase instanceof Starting || phase instanceof Running) {
      return replaceAfter(replacements.afterNewConfig(phases.servingChild()));
    } else if (phase instanceof Replacing replacing) { // the next child starts as soon as this one is gone
      phases.stay(new Replacing(replacing.old(), RestartCause.CONFIG_CHANGED), phases.detail());
    } // OVERLAPPING: the child starting now is replaced by one with this config once it is ready
    if (!starter.writeConfig()) {
      log.configWrittenAtNextStart();
    }
    return true;
  }

  @Override
  public boolean replacementDue(ReplacementDue due) {
    Alarm pending = phases.now() instanceof Starting s ? s.replacement()
        : phases.now() instanceof Running r ? r.replacement() : Alarm.NONE;
    return pending.is(due.alarm()) && replaceAfter(replacements.due(phases.servingChild()));
  }

  /** STARTING or RUNNING: the child is replaced after {@code wait} (at once if zero; null: not at all). */
  private boolean replaceAfter(Duration wait) {
    if (wait != null && wait.isZero()) {
      return replaceForConfig(phases.servingChild());
    }
    Alarm replacement = wait == null ? Alarm.NONE : alarms.arm(wait, ReplacementDue::new);
    phases.stay(phases.now() instanceof Starting s ? new Starting(s.child(), s.deadline(), replacement)
        : new Running(phases.servingChild(), replacement), phases.detail());
    return true;
  }

  private Alarm replacementFor(Child child) {
    Duration wait = replacements.pending(child);
    return wait == null ? Alarm.NONE : alarms.arm(wait, ReplacementDue::new);
  }

  /** A serving child is overlapped by its successor when the socket is inherited and readiness notified. */
  private boolean replaceForConfig(Child child) {
    if (overlap && phases.now() instanceof Running running) {
      Optional<Child> next = starter.overlap();
      if (next.isEmpty()) { // retried; the old child goes on serving
        return replaceAfter(settings.startRetryDelay());
      }
      journal.restart(RestartCause.CONFIG_CHANGED);
      phases.transition(new Overlapping(running.child(), next.get(), startDeadline(next.get())), "a new python "
          + "process starts with the new config while the old one serves", null);
      return true;
    }
    return beginReplace(child, RestartCause.CONFIG_CHANGED, "config changed");
  }

  @Override
  public boolean hostsReceived(SupervisorInput.HostsReceived input) {
    if (phases.now() instanceof Stopped) {
      return false;
    }
    journal.hosts(input.module(), input.hosts());
    log.hostsReceived(input.module(), input.hosts());
    if (phases.now() instanceof Running || phases.now() instanceof Overlapping) {
      delivery.hostsChanged(phases.servingChild().generation, input.module(), input.hosts());
    }
    return true;
  }

  // ---- starting ----

  @Override
  public boolean orphansReaped(SupervisorInput.OrphansReaped input) {
    if (!(phases.now() instanceof Idle idle) || !idle.reaping()) {
      return false;
    }
    phases.stay(new Idle(false), phases.detail()); // should the start fail in the handler, the next config retries
    return startChild(null);
  }

  @Override
  public boolean backoffOver(BackoffOver over) {
    return phases.now() instanceof Backoff backoff && backoff.over().is(over.alarm()) && startChild(backoff.next());
  }

  private boolean startChild(RestartCause why) {
    if (why != null) {
      journal.restart(why);
    }
    Optional<Child> next = starter.start(why);
    if (next.isEmpty()) {
      Duration delay = settings.startRetryDelay();
      enterBackoff(Backoff.Kind.START_RETRY, RestartCause.START_FAILED, delay,
          SupervisorLog.startRetry(delay, journal.lastErrorMessage()), null);
      return true;
    }
    Child child = next.get();
    Alarm replacement = configs.fileCurrent() ? Alarm.NONE : alarms.arm(settings.startRetryDelay(),
        ReplacementDue::new); // the newer config is written, and the child replaced, then
    phases.transition(new Starting(child, startDeadline(child), replacement), SupervisorLog.starting(binding), null);
    return true;
  }

  private Alarm startDeadline(Child child) {
    Duration left = settings.startTimeout().minusNanos(age(child));
    return settings.startTimeout().isZero() ? Alarm.NONE
        : alarms.arm(left.isNegative() ? Duration.ZERO : left, StartTimedOut::new);
  }

  @Override
  public boolean processReady(SupervisorInput.ProcessReady ready) {
    Phase phase = phases.now();
    if (phase instanceof Starting starting && starting.child().generation == ready.generation()) {
      enterRunning(starting.child(), starting.replacement());
    } else if (phase instanceof Overlapping overlapping && overlapping.incoming().generation == ready.generation()) {
      log.lettingGo(overlapping.serving(), "its successor is ready");
      retirement.terminate(overlapping.serving(), false);
      enterRunning(overlapping.incoming(), replacementFor(overlapping.incoming()));
    } else {
      return false;
    }
    return true;
  }

  private void enterRunning(Child child, Alarm replacement) {
    child.readiness.cancel();
    boolean current = configs.isDesired(child.config);
    if (current) {
      replacement.cancel(); // no replacement due any more
    }
    phases.transition(new Running(child, current ? Alarm.NONE : replacement), SupervisorLog.accepting(binding), null);
    log.ready(child, binding);
    journal.event(l -> l.processReady(child.pid()));
    delivery.childReady(child.generation, binding, journal.hosts());
    if (settings.liveness().enabled()) {
      child.liveness = liveness.watch(binding, settings.liveness(),
          failure -> submit.accept(new LivenessChecked(child.generation, failure)));
    }
    if (current) { // with a replacement due, waiters wait for the next child
      runningWaiters.running();
    }
  }

  @Override
  public boolean startTimedOut(StartTimedOut timedOut) {
    Phase phase = phases.now();
    if (phase instanceof Starting starting && starting.deadline().is(timedOut.alarm())) { // reported once
      Child child = starting.child();
      phases.stay(new Starting(child, Alarm.NONE, starting.replacement()), phases.detail());
      return !starter.reportNotReady(child) || beginReplace(child, RestartCause.START_TIMEOUT, "not accepting "
          + "connections after " + settings.startTimeout().toSeconds() + "s");
    } else if (phase instanceof Overlapping overlapping && overlapping.deadline().is(timedOut.alarm())) {
      Child slow = overlapping.incoming();
      log.lettingGo(slow, "not ready within " + seconds(settings.startTimeout()));
      retirement.terminate(slow, false);
      journal.crashes(journal.crashes().neverReady());
      return keepTheOldOne(overlapping.serving(), slow, "the new python process was not ready within "
          + seconds(settings.startTimeout()) + " (python.startTimeout)");
    }
    return false;
  }

  @Override
  public boolean livenessChecked(LivenessChecked checked) {
    if (!(phases.now() instanceof Running running) || running.child().generation != checked.generation()) {
      return false;
    }
    Child child = running.child();
    if (checked.failure().isEmpty()) {
      log.livenessPassed(child, child.livenessFailures); // a line only after failures
      child.livenessFailures = 0;
      return true;
    }
    String failure = checked.failure().get();
    int failures = ++child.livenessFailures;
    log.livenessFailed(child, failures, settings.liveness().failureThreshold(), failure);
    if (failures >= settings.liveness().failureThreshold()) {
      journal.error("liveness: " + failure);
      beginReplace(child, RestartCause.LIVENESS, "liveness failed " + failures + " times in a row (" + failure + ")");
    }
    return true;
  }

  /** The successor failed: the old child goes on serving; the config is retried after the crash back-off. */
  private boolean keepTheOldOne(Child serving, Child failed, String why) {
    Duration delay = journal.crashes().delay(settings);
    String message = SupervisorLog.configNotApplied(why, delay);
    journal.error(message);
    log.configNotApplied(failed, journal.crashes(), message);
    phases.transition(new Running(serving, alarms.arm(delay, ReplacementDue::new)), message, null);
    journal.event(l -> l.restartScheduled(delay, RestartCause.CONFIG_CHANGED));
    return true;
  }

  // ---- stopping and exits ----

  private boolean beginReplace(Child child, RestartCause cause, String reason) {
    phases.transition(new Replacing(child, cause), "replacing the python process: " + reason, null);
    log.replacing(child, reason, cause);
    retirement.terminate(child, true);
    return true;
  }

  @Override
  public boolean stopRequested(SupervisorInput.StopRequested input) {
    switch (phases.state()) {
      case IDLE -> finish("stop requested before any config", null);
      case BACKOFF -> finish("stop requested while waiting to restart", null);
      case STARTING, RUNNING, OVERLAPPING -> {
        if (phases.now() instanceof Overlapping overlapping) {
          log.lettingGo(overlapping.incoming(), "stop requested");
          retirement.terminate(overlapping.incoming(), false);
        }
        Child child = phases.servingChild();
        retirement.terminate(child, true); // first: the child's own exit is the long part of a stop
        phases.transition(new Stopping(), "stop requested", null);
        log.stopping(child);
      }
      case RESTARTING -> phases.transition(new Stopping(), "stop requested while replacing the python process", null);
      case STOPPING -> log.stopInProgress();
      case STOPPED -> {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean killDue(SupervisorInput.KillDue due) {
    return retirement.killDue(due);
  }

  @Override
  public boolean processExited(SupervisorInput.ProcessExited exited) {
    long generation = exited.generation();
    ExitStatus status = exited.status();
    Optional<Retirement.Leaving> left = retirement.gone(generation);
    Phase phase = phases.now();
    if (left.isPresent()) {
      return leavingExited(left.get(), status);
    } else if ((phase instanceof Starting || phase instanceof Running)
        && phases.servingChild().generation == generation) {
      return crashed(phases.servingChild(), status);
    } else if (phase instanceof Overlapping overlapping && overlapping.serving().generation == generation) {
      retirement.exited(overlapping.serving(), status, false);
      log.exitedWhileSuccessorStarting(overlapping.serving(), status, phases.state(), journal.crashes());
      Child incoming = overlapping.incoming();
      phases.transition(new Starting(incoming, overlapping.deadline(), replacementFor(incoming)),
          SupervisorLog.starting(binding), status);
      return true;
    }
    if (!(phase instanceof Overlapping overlapping) || overlapping.incoming().generation != generation) {
      return false;
    }
    Child failed = overlapping.incoming(); // the successor exited before it was ready
    retirement.sweep(failed);
    journal.crashes(journal.crashes().exited(Duration.ofNanos(age(failed)), settings));
    return keepTheOldOne(overlapping.serving(), failed, "the new python process exited with " + status.describe()
        + " before it was ready");
  }

  /** A child that got SIGTERM exited: the phase's own moves the phase on; one let go only leaves. */
  private boolean leavingExited(Retirement.Leaving left, ExitStatus status) {
    Child child = left.child();
    if (left.own()) {
      retirement.exited(child, status, true);
      log.exited(child, status, phases.state(), journal.crashes());
      if (phases.now() instanceof Replacing replacing) {
        return replacing.cause() == RestartCause.CONFIG_CHANGED || !configs.isDesired(child.config)
            ? startChild(RestartCause.CONFIG_CHANGED) : afterCrash(child, status, replacing.cause());
      }
    } else {
      retirement.letGoExited(child, status, phases.state());
    }
    if (phases.now() instanceof Stopping && !retirement.anyLeaving()) {
      finish("python process stopped", status);
    }
    return true;
  }

  /** The child that started or served exited by itself. */
  private boolean crashed(Child child, ExitStatus status) {
    retirement.exited(child, status, false);
    if (!configs.isDesired(child.config)) {
      log.exitedWithConfigWaiting(child, status, phases.state(), journal.crashes());
      return startChild(RestartCause.CONFIG_CHANGED);
    }
    return afterCrash(child, status, RestartCause.EXITED);
  }

  /** The crash back-off: the next start, counted as {@code why}, after a wait that grows; or giving up. */
  private boolean afterCrash(Child exited, ExitStatus status, RestartCause why) {
    Duration lived = Duration.ofNanos(age(exited));
    CrashBackoff crashes = journal.crashes().exited(lived, settings);
    journal.crashes(crashes);
    if (crashes.exhausted(settings)) {
      String reason = SupervisorLog.givingUp(crashes, settings, status);
      log.fatal(exited, status, phases.state(), crashes, reason);
      journal.error(reason);
      finish(reason, status);
      journal.event(l -> l.gaveUp(reason));
      return true;
    }
    Duration delay = crashes.delay(settings);
    String restarting = SupervisorLog.restarting(delay, status, crashes);
    enterBackoff(Backoff.Kind.CRASH, why, delay, restarting, status);
    log.crashed(exited, status, why != RestartCause.EXITED, lived, phases.state(), crashes, restarting);
    return true;
  }

  private void enterBackoff(Backoff.Kind kind, RestartCause next, Duration delay, String why, ExitStatus exit) {
    Backoff wait = new Backoff(kind, next, delay, clock.instant().plus(delay), alarms.arm(delay, BackoffOver::new));
    if (phases.now() instanceof Backoff) {
      phases.stay(wait, why); // a start retry that failed again: no transition to log
    } else {
      phases.transition(wait, why, exit);
    }
    journal.event(l -> l.restartScheduled(delay, next));
  }

  @Override
  public boolean leftoversKilled(SupervisorInput.LeftoversKilled swept) {
    return retirement.swept(swept);
  }

  @Override
  public boolean sweepsOverdue(SupervisorInput.SweepsOverdue overdue) {
    return retirement.sweepsOverdue(overdue);
  }

  /** STOPPED; the stop completes once the {@link Retirement}'s final wait is over. */
  private void finish(String why, ExitStatus exit) {
    runningWaiters.stopped();
    delivery.close();
    if (readiness instanceof AutoCloseable closeable) {
      PySupervisor.closeQuietly(closeable);
    }
    phases.transition(new Stopped(), why, exit);
  }

  @Override
  public boolean awaitRunning(SupervisorInput.AwaitRunning waiting) {
    if (phases.now() instanceof Stopped) {
      waiting.future().completeExceptionally(new IllegalStateException("the supervisor is stopped"));
    } else if (phases.now() instanceof Running running && configs.isDesired(running.child().config)) {
      waiting.future().complete(null);
    } else {
      runningWaiters.add(waiting.future());
    }
    return true;
  }

  private long age(Child child) {
    return alarms.nanoTime() - child.startNanos;
  }
}
