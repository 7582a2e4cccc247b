package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.posix.ProcTable;
import ru.txix.isp.pywrapper.internal.posix.ProcessGroups;
import ru.txix.isp.pywrapper.internal.posix.Signal;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A small state file beside the config file naming the running child — host pid and start time, the child's
 * pid, process group, start time and {@code PYWRAPPER_CHILD_ID} — so that a host that was SIGKILLed (its
 * child's group outlives it) can reap the orphans on its next start.
 *
 * <p>Writing happens on a thread of its own ("py-child-record"), off the restart path; the removal at the end of
 * a stop, after the queued writes, on the caller's thread; reaping runs on the caller's thread, before the first
 * child starts.
 *
 * <p>Reaping kills only what is verifiably the old child: the recorded leader if it still exists with the
 * recorded start time (a recycled pid has another), its process group, and on Linux every live process
 * carrying the recorded child id. Nothing is done while the recorded host is itself still alive.
 */
final class ChildRecord {
  private static final Logger log = LoggerFactory.getLogger(ChildRecord.class);

  private static final ExecutorService WRITER =
      NamedThreads.pool("py-child-record", 1);

  private final Path file;
  /** This record's writes and removals queued on the writer's thread and not yet done. */
  private final AtomicInteger queued = new AtomicInteger();

  ChildRecord(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  /** Records {@code child} in the background. */
  void writeLater(ChildProcess child) {
    queue(() -> write(child));
  }

  /**
   * Removes the record now, after any write still queued: for the end of a stop, where the writer's thread
   * (ended when idle) would have to be started again just for this.
   */
  void clearNow() {
    if (queued.get() > 0) {
      flush();
    }
    clear();
  }

  private void queue(Runnable task) {
    queued.incrementAndGet();
    WRITER.execute(() -> {
      try {
        task.run();
      } finally {
        queued.decrementAndGet();
      }
    });
  }

  /** Waits until the queued writes are done (at most a second). */
  void flush() {
    try {
      WRITER.submit(() -> { }).get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("child record not flushed: {}", e.toString());
    }
  }

  Path path() {
    return file;
  }

  /** Records {@code child} (it has a child id and a start time; otherwise nothing is recorded). */
  void write(ChildProcess child) {
    if (child.childId().isEmpty() || child.startInstant().isEmpty()) {
      return;
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
    } catch (IOException e) {
      log.atWarn().addKeyValue("file", file.toString()).log("cannot record the child for orphan reaping: " + e);
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
  private static void awaitGone(List<Long> pids) {
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
