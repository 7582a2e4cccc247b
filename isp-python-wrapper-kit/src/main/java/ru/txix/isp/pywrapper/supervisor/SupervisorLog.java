package ru.txix.isp.pywrapper.supervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;
import ru.txix.isp.pywrapper.internal.RepeatedFailures;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.posix.TcpListeners;

/**
 * Every line the supervisor logs, and the words of its states' details, in one place. Lines that are about a
 * child carry its {@code pid} and {@code pgid}; every line has {@code worker=supervisor}. A config is never part of
 * a line (inputs print theirs masked). Logged under {@link PySupervisor}'s name. Confined to the supervisor thread
 * (but for {@link #emergencyKill} and the loop's own lines).
 */
final class SupervisorLog {
  private static final Logger log = LoggerFactory.getLogger(PySupervisor.class);

  /** Which failed starts get a line: the first, then one summary per 30 s, and the recovery. */
  private final RepeatedFailures startFailures;

  SupervisorLog(LongSupplier nanoTime) {
    this.startFailures = new RepeatedFailures(RepeatedFailures.DEFAULT_INTERVAL, nanoTime);
  }

  // ---- the loop ----

  static void ignoredAfterStop(SupervisorInput input) {
    log.debug("ignored after stop: {}", input);
  }

  static void ignored(SupervisorState state, SupervisorInput input) {
    log.debug("ignored in {}: {}", state, input);
  }

  static void handlerFailed(SupervisorInput input, RuntimeException e) {
    log.atError().addKeyValue("worker", "supervisor").setCause(e).log("supervisor failed to handle " + input);
  }

  static void listenerFailed(RuntimeException e) {
    log.warn("supervisor listener failed", e);
  }

  static void closeFailed(Exception e) {
    log.debug("close failed", e);
  }

  static void emergencyKill(ChildProcess process) {
    log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("pid", process.pid())
        .addKeyValue("pgid", process.pgid()).log("killing the python process group at once");
  }

  /** Changes of state are logged at debug: the event that caused one has its own line. */
  void transition(Child child, SupervisorState from, SupervisorState to, String why, ExitStatus exit) {
    LoggingEventBuilder line = about(log.atDebug(), child).addKeyValue("state", to).addKeyValue("from", from)
        .addKeyValue("cause", why);
    if (exit != null) {
      line.addKeyValue("exitCode", exit.code());
    }
    line.log("supervisor " + from + " -> " + to);
  }

  // ---- configs and hosts ----

  void configIgnoredWhileStopping() {
    info().log("config ignored: the supervisor is stopping");
  }

  void configUnchanged(SupervisorState state) {
    info().addKeyValue("state", state).log("config unchanged: the python process is not restarted");
  }

  void configWritten(ConfigFile file) {
    log.atDebug().addKeyValue("worker", "supervisor").addKeyValue("configPath", file.toString())
        .log("config file written");
  }

  void configNotWritten(String error) {
    log.atError().addKeyValue("worker", "supervisor").log(error);
  }

  void configWrittenAtNextStart() {
    log.atWarn().addKeyValue("worker", "supervisor").log("the new config is written when the next python process "
        + "starts");
  }

  void configKeptPrevious(Duration retry) {
    log.atError().addKeyValue("worker", "supervisor").log("the python process keeps running on its previous config; "
        + "writing the new one is retried every " + retry.toMillis() + "ms");
  }

  void configBackToTheChilds() {
    info().log("config is again the one the python process runs: no restart");
  }

  void replacementWaits(Duration wait, Duration interval) {
    info().addKeyValue("delay", wait.toMillis() + "ms").log("config changed: restarting the python process once it "
        + "has run " + interval.toMillis() + "ms (newer configs join this restart)");
  }

  void configNotApplied(Child failed, CrashBackoff crashes, String message) {
    about(log.atError(), failed).addKeyValue("quickExits", crashes.quickExits()).log(message);
  }

  void hostsReceived(String module, List<String> hosts) {
    info().addKeyValue("module", module).addKeyValue("hosts", hosts).log("module addresses received");
  }

  // ---- starts ----

  void startingOnOlderConfig() {
    log.atWarn().addKeyValue("worker", "supervisor").log("starting the python process on the last config written; "
        + "the newer one is written as soon as the file can be");
  }

  static void staleChildrenKilled(BindingAddress binding, Collection<String> childIds, List<Long> killed) {
    log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("childIds", List.copyOf(childIds))
        .addKeyValue("killed", killed).log("killed the python child a previous host left holding " + binding
            + " (no record of it: its process carries this host's CONFIG_FILE)");
  }

  static void recordNotRemoved(Path file, Duration limit, Throwable error) {
    log.atWarn().addKeyValue("file", file.toString()).log(error instanceof TimeoutException
        ? "the child record was not removed within " + limit.toMillis() + "ms; the stop completes without "
            + "waiting for it (the child it names is gone: the next start finds nothing to reap)"
        : "the child record could not be removed: " + error);
  }

  static void reapFailed(RuntimeException e) {
    log.atError().addKeyValue("worker", "supervisor").setCause(e).log("reaping an orphaned child failed");
  }

  void started(Child child, SupervisorState state, BindingAddress binding, ConfigFile file, LaunchSpec template,
               RestartCause why) {
    startFailures.succeeded().ifPresent(recovery -> info().addKeyValue("attempts", recovery.failures())
        .log("the python service could be started again after "
            + RepeatedFailures.count(recovery.failures(), "failed attempt") + " in "
            + recovery.after().toSeconds() + "s"));
    about(log.atInfo(), child).addKeyValue("state", state).addKeyValue("bindingAddress", binding.toString())
        .addKeyValue("configPath", file.toString()).addKeyValue("modulePath", template.script())
        .addKeyValue("command", template.commandLine()).addKeyValue("cause", why == null ? "" : why.label())
        .log("python service started");
  }

  void startFailed(String message, Duration retry) {
    RepeatedFailures.Verdict verdict = startFailures.failed();
    if (verdict instanceof RepeatedFailures.First) {
      log.atError().addKeyValue("worker", "supervisor").addKeyValue("retryIn", retry.toMillis() + "ms")
          .log("start failed: " + message + "; retrying every " + retry.toMillis() + "ms");
    } else if (verdict instanceof RepeatedFailures.Summary summary) {
      log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("attempts", summary.attempts())
          .log("still cannot start the python service: " + summary.attempts() + " attempts in "
              + summary.since().toSeconds() + "s, last error: " + message);
    }
  }

  void overlapStartFailed(String message, Duration retry) {
    log.atError().addKeyValue("worker", "supervisor").log("start failed: " + message + "; the python process keeps "
        + "serving its previous config, retried in " + retry.toMillis() + "ms");
  }

  void ready(Child child, BindingAddress binding) {
    about(log.atInfo(), child).addKeyValue("state", SupervisorState.RUNNING)
        .log("python service ready: accepting connections on " + binding);
  }

  void notReady(Child child, Duration timeout, String what, boolean replacing) {
    about(log.atWarn(), child).addKeyValue("timeout", timeout.toMillis() + "ms")
        .log(what + (replacing ? "; replacing it" : ""));
  }

  /** A passed liveness check: a line only when {@code failures} (in a row) came before it. */
  void livenessPassed(Child child, int failures) {
    if (failures > 0) {
      about(log.atInfo(), child)
          .log("liveness check passed again after " + RepeatedFailures.count(failures, "failure"));
    }
  }

  void livenessFailed(Child child, int failures, int threshold, String failure) {
    about(log.atWarn(), child).addKeyValue("failures", failures).log("liveness check failed (" + failures + " of "
        + threshold + "): " + failure);
  }

  // ---- stops and exits ----

  void replacing(Child child, String reason, RestartCause cause) {
    about(log.atInfo(), child).addKeyValue("state", SupervisorState.RESTARTING).addKeyValue("cause", cause.label())
        .log("replacing the python service (" + reason + "): sending SIGTERM");
  }

  void stopping(Child child) {
    about(log.atInfo(), child).addKeyValue("state", SupervisorState.STOPPING)
        .log("stopping the python service: sending SIGTERM");
  }

  void stopInProgress() {
    log.debug("stop already in progress");
  }

  void lettingGo(Child child, String why) {
    about(log.atInfo(), child).log("stopping the previous python service (" + why + "): sending SIGTERM");
  }

  void killing(Child child, Duration timeout, boolean again) {
    about(log.atWarn(), child).addKeyValue("timeout", timeout.toMillis() + "ms")
        .log(again ? "process still alive after SIGKILL, sending SIGKILL again" : "timeout, sending SIGKILL to process "
            + "group");
  }

  void signalFailed(Child child, String message, RuntimeException e) {
    about(log.atError(), child).setCause(e).log(message);
  }

  /** The exit of the child being replaced or stopped. */
  void exited(Child child, ExitStatus status, SupervisorState state, CrashBackoff crashes) {
    exited(Level.INFO, child, status, state, crashes, "python service exited with " + status.describe());
  }

  /** The exit of a child let go in the background (after an overlap). */
  void letGoExited(Child child, ExitStatus status, SupervisorState state, CrashBackoff crashes) {
    exited(Level.INFO, child, status, state, crashes, "previous python service exited with " + status.describe());
  }

  void exitedWhileSuccessorStarting(Child child, ExitStatus status, SupervisorState state, CrashBackoff crashes) {
    exited(Level.WARN, child, status, state, crashes, "python service exited with " + status.describe()
        + " while its successor was starting");
  }

  void exitedWithConfigWaiting(Child child, ExitStatus status, SupervisorState state, CrashBackoff crashes) {
    exited(Level.WARN, child, status, state, crashes, "python service exited with " + status.describe()
        + " while a new config was waiting: starting it with the new config");
  }

  /** An exit after which the next start waits ({@code restarting}: {@link #restarting}'s words). */
  void crashed(Child child, ExitStatus status, boolean replaced, Duration lived, SupervisorState state,
               CrashBackoff crashes, String restarting) {
    exited(Level.WARN, child, status, state, crashes, (replaced ? "replaced python service" : "python service")
        + " exited with " + status.describe() + " after " + seconds(lived) + "; " + restarting);
  }

  /** An exit after which the supervisor gives up ({@code reason}: {@link #givingUp}'s words). */
  void fatal(Child child, ExitStatus status, SupervisorState state, CrashBackoff crashes, String reason) {
    exited(Level.ERROR, child, status, state, crashes, "fatal: " + reason);
  }

  /** An exit, at {@code level}, as {@code message}; with the exit code, the signal, the state and the quick exits. */
  private void exited(Level level, Child child, ExitStatus status, SupervisorState state, CrashBackoff crashes,
                      String message) {
    LoggingEventBuilder line = about(log.atLevel(level), child).addKeyValue("exitCode", status.code())
        .addKeyValue("state", state).addKeyValue("quickExits", crashes.quickExits());
    status.signal().ifPresent(signal -> line.addKeyValue("signal", signal));
    line.log(message);
  }

  void cleanUpFailed(Child child, RuntimeException e) {
    about(log.atError(), child).setCause(e).log("cleaning up after the python process failed");
  }

  void leftoversKilled(Child child, List<Long> pids) {
    about(log.atWarn(), child).addKeyValue("killed", pids).log("killed processes the python child left behind");
  }

  void sweepsOverdue(Duration waited) {
    log.atWarn().addKeyValue("worker", "supervisor").log("leftover sweep not finished after " + seconds(waited));
  }

  // ---- words: of the states' details, and of the last error ----

  static String starting(BindingAddress binding) {
    return "started, waiting for it to accept connections on " + binding;
  }

  static String accepting(BindingAddress binding) {
    return "accepting connections on " + binding;
  }

  static String startRetry(Duration delay, String error) {
    return "start failed, retrying in " + delay.toMillis() + "ms: " + error;
  }

  static String restarting(Duration delay, ExitStatus status, CrashBackoff crashes) {
    return "restarting in " + seconds(delay) + " after " + status.describe()
        + (crashes.quickExits() > 1 ? " (" + crashes.quickExits() + " quick exits in a row)" : "");
  }

  static String givingUp(CrashBackoff crashes, SupervisorSettings settings, ExitStatus status) {
    return "giving up: the python service exited quickly " + crashes.quickExits() + " times in a row "
        + "(python.maxRestarts: " + settings.maxRestarts() + "); last: " + status.describe();
  }

  static String configNotApplied(String why, Duration delay) {
    return "config not applied: " + why + "; the previous python process keeps serving, retrying in "
        + seconds(delay);
  }

  /** A child not ready by the start timeout: is it alive, its processes, the sockets they listen on. */
  static String notReady(BindingAddress binding, Duration timeout, ChildProcess process) {
    List<ProcessInfo> processes = process.processes();
    return "the python service has not accepted connections on " + binding + " after " + timeout.toSeconds()
        + "s (python.startTimeout): pid " + process.pid() + (process.onExit().isDone() ? " gone" : " alive")
        + ", its processes " + processes.stream().map(p -> p.pid() + " (" + p.command() + ")").toList()
        + ", listening on " + (TcpListeners.available()
            ? TcpListeners.heldBy(processes.stream().map(ProcessInfo::pid).toList()) : "(unknown here)");
  }

  /** {@code 2s}, {@code 1.5s}. */
  static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  private static LoggingEventBuilder info() {
    return log.atInfo().addKeyValue("worker", "supervisor");
  }

  private static LoggingEventBuilder about(LoggingEventBuilder line, Child child) {
    line.addKeyValue("worker", "supervisor");
    if (child != null) {
      line.addKeyValue("pid", child.pid()).addKeyValue("pgid", child.process.pgid());
    }
    return line;
  }
}
