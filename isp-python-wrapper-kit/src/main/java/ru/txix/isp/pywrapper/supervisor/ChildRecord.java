package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.RepeatedFailures;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.internal.posix.ProcessGroups;
import ru.txix.isp.pywrapper.internal.posix.Signal;
import ru.txix.isp.pywrapper.internal.time.Scheduler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A small state file beside the config file naming the running child — host pid and start time, the child's
 * pid, process group, start time and {@code PYWRAPPER_CHILD_ID} — so that a host that was SIGKILLed (its
 * child's group outlives it) can reap the orphans on its next start.
 *
 * <p>Writing and removing happen on a thread of its own ("py-child-record"), off the supervisor's thread, in the
 * order asked for; only the newest wish counts (a record of the current child, or none). A write that fails — a
 * full disk — is retried every {@value #RETRY_SECONDS} s until it is written or superseded: a child started then is
 * still recorded once space is back. Reaping runs on the caller's thread, before the first child starts.
 *
 * <p>Reaping kills only what is verifiably the old child: the recorded leader if it still exists with the
 * recorded start time (a recycled pid has another), its process group, and on Linux every live process
 * carrying the recorded child id. Nothing is done while the recorded host is itself still alive.
 */
final class ChildRecord {
  private static final Logger log = LoggerFactory.getLogger(ChildRecord.class);
  static final long RETRY_SECONDS = 1;

  /** The default writer: one daemon thread, ended when idle. */
  static final ExecutorService WRITER = NamedThreads.pool("py-child-record", 1);

  private final Path file;
  private final Executor writer;
  private final Scheduler retries;
  /** What the file should say: the child to record, or null for no file. Written by the caller, read by the writer. */
  private volatile ChildProcess wanted;
  // Confined to the writer's thread.
  private final RepeatedFailures failures;
  /** True while a failed write's retry is due (one at a time; it writes whatever is wanted then). */
  private boolean retryDue;

  /** {@code writer} runs the writes and removals in order; {@code retries} times a failed write's next attempt. */
  ChildRecord(Path file, Executor writer, Scheduler retries) {
    this.file = file.toAbsolutePath().normalize();
    this.writer = writer;
    this.retries = retries;
    this.failures = new RepeatedFailures(RepeatedFailures.DEFAULT_INTERVAL, retries::nanoTime);
  }

  /** Records {@code child} in the background, retried until written (or superseded). */
  void writeLater(ChildProcess child) {
    wanted = child;
    writer.execute(this::bringUpToDate);
  }

  /**
   * Removes the record in the background, after the writes asked for before (none is retried after it); the
   * future completes once it is gone — for the end of a stop, which the host's exit may follow at once.
   */
  CompletableFuture<Void> clearLater() {
    wanted = null;
    return CompletableFuture.runAsync(this::bringUpToDate, writer);
  }

  Path path() {
    return file;
  }

  /** On the writer's thread: makes the file say what is wanted now. */
  private void bringUpToDate() {
    ChildProcess child = wanted;
    if (child == null) {
      clear();
      return;
    }
    Optional<IOException> failure = write(child);
    if (failure.isEmpty()) {
      failures.succeeded().ifPresent(recovery -> log.atInfo().addKeyValue("file", file.toString())
          .addKeyValue("attempts", recovery.failures()).log("the python child is recorded for orphan reaping "
              + "after " + RepeatedFailures.count(recovery.failures(), "failed attempt")));
      return;
    }
    RepeatedFailures.Verdict verdict = failures.failed();
    if (verdict instanceof RepeatedFailures.First) {
      log.atWarn().addKeyValue("file", file.toString()).log("cannot record the python child for orphan reaping: "
          + failure.get() + "; retrying every " + RETRY_SECONDS + "s");
    } else if (verdict instanceof RepeatedFailures.Summary summary) {
      log.atWarn().addKeyValue("file", file.toString()).addKeyValue("attempts", summary.attempts())
          .log("still cannot record the python child for orphan reaping: " + failure.get());
    }
    if (!retryDue) {
      retryDue = true;
      try {
        retries.schedule(Duration.ofSeconds(RETRY_SECONDS), () -> writer.execute(() -> {
          retryDue = false;
          bringUpToDate();
        }));
      } catch (RejectedExecutionException e) {
        retryDue = false; // the supervisor stopped: its last wish is no record
      }
    }
  }

  /** Records {@code child} (it has a child id and a start time; otherwise nothing is recorded); the failure, if any. */
  Optional<IOException> write(ChildProcess child) {
    if (child.childId().isEmpty() || child.startInstant().isEmpty()) {
      return Optional.empty();
    }
    ProcessHandle host = ProcessHandle.current();
    var node = JsonValues.object()
        .put("hostPid", host.pid())
        .put("hostStartedAt", host.info().startInstant().map(Instant::toString).orElse(null))
        .put("pid", child.pid())
        .put("pgid", child.pgid())
        .put("startedAt", child.startInstant().get().toString())
        .put("childId", child.childId().get());
    try {
      ConfigFile.replace(file, (JsonValues.text(node) + "\n").getBytes(StandardCharsets.UTF_8));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e);
    }
  }

  void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.atWarn().addKeyValue("file", file.toString()).log("cannot remove " + file + ": " + e);
    }
  }

  /** Kills what is left of the child recorded by a host that is gone; returns the pids killed. */
  List<Long> reapOrphans() {
    JsonNode record;
    try {
      record = JsonValues.read(Files.readString(file));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | JacksonException e) {
      log.atWarn().addKeyValue("file", file.toString()).log("unreadable child record ignored: " + e);
      clear();
      return List.of();
    }
    long hostPid = record.path("hostPid").asLong(-1);
    if (hostPid != ProcessHandle.current().pid() && sameProcess(hostPid, record.path("hostStartedAt").asString(""))) {
      log.atWarn().addKeyValue("hostPid", hostPid).log("the host that started the recorded python child still "
          + "runs: its child is left alone");
      return List.of();
    }
    List<Long> killed = new ArrayList<>();
    long pid = record.path("pid").asLong(-1);
    long pgid = record.path("pgid").asLong(-1);
    String childId = record.path("childId").asString("");
    if (pid > 0 && sameProcess(pid, record.path("startedAt").asString(""))) {
      killed.add(pid);
      if (ProcessGroups.supported() && pgid > 0) {
        ProcessGroups.signalGroup(pgid, Signal.KILL);
      }
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    if (ProcTable.available() && !childId.isEmpty()) {
      for (ProcTable.Entry entry : ProcTable.all()) {
        if (entry.alive() && entry.pid() != pid
            && ProcTable.hasEnvironmentEntry(entry.pid(), UvProcessLauncher.CHILD_ID_VARIABLE, childId)) {
          ProcessGroups.signalProcess(entry.pid(), Signal.KILL);
          killed.add(entry.pid());
        }
      }
    }
    awaitGone(killed);
    if (!killed.isEmpty()) {
      log.atWarn().addKeyValue("worker", "supervisor").addKeyValue("pid", pid).addKeyValue("pgid", pgid)
          .addKeyValue("killed", killed).log("killed the python child a previous host left running");
    }
    clear();
    return killed;
  }

  private static boolean sameProcess(long pid, String startedAt) {
    if (pid <= 0 || startedAt.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    return handle.isPresent() && handle.get().isAlive()
        && handle.get().info().startInstant().map(Instant::toString).map(startedAt::equals).orElse(false);
  }

  /** Waits up to a second for the killed processes to be gone (their ports free). */
  static void awaitGone(List<Long> pids) {
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < deadline && pids.stream().anyMatch(ChildRecord::alive)) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcTable.available() ? ProcTable.read(pid).map(ProcTable.Entry::alive).orElse(false)
        : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
