package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened in a run, in order: the schedule (every fault and every step of the runner) and the violations.
 * Each entry is written at once to {@code schedule.log} in the run's folder; a violation is also printed with
 * the schedule so far and the host's log lines around its moment.
 *
 * <p>Thread-safe: the fault thread, the checker and the workload all write here.
 */
final class Journal {
  /** One line of the schedule. */
  record Entry(Instant at, double seconds, String segment, String text) {
    @Override
    public String toString() {
      return String.format("%8.3fs [%s] %s", seconds, segment, text);
    }
  }

  /** One broken invariant. */
  record Violation(Instant at, double seconds, String segment, String invariant, String detail) {
  }

  /** Where a violation's context comes from: the host log lines within a window of a moment. */
  interface HostLogs {
    List<String> around(Instant at, int seconds, int limit);
  }

  private static final int SCHEDULE_SHOWN = 30;

  private final long startNanos = System.nanoTime();
  private final Instant startWall = Instant.now();
  private final Path file;
  private final PrintStream out;
  private final List<Entry> entries = new ArrayList<>();
  private final List<Violation> violations = new ArrayList<>();
  private volatile String segment = "-";
  private volatile HostLogs hostLogs = (at, seconds, limit) -> List.of();

  Journal(Path file, PrintStream out) {
    this.file = file;
    this.out = out;
  }

  void segment(String name, HostLogs logs) {
    segment = name;
    hostLogs = logs;
  }

  double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The run's clock for a wall-clock moment (a host's or the service's timestamp). */
  double secondsAt(Instant at) {
    return (at.toEpochMilli() - startWall.toEpochMilli()) / 1e3;
  }

  void note(String text) {
    Entry entry = new Entry(Instant.now(), seconds(), segment, text);
    synchronized (this) {
      entries.add(entry);
    }
    append(entry.toString());
  }

  /** Records a violation at {@code at} and prints it with the schedule up to then and the host's lines around it. */
  void violation(Instant at, String invariant, String detail) {
    Violation violation = new Violation(at, secondsAt(at), segment, invariant, detail);
    List<Entry> before;
    synchronized (this) {
      violations.add(violation);
      before = entries.stream().filter(e -> !e.at().isAfter(at.plusMillis(500))).toList();
    }
    StringBuilder text = new StringBuilder();
    text.append(String.format("VIOLATION at %.3fs (%s) [%s] %s: %s%n", violation.seconds(), at, segment, invariant,
        detail));
    int from = Math.max(0, before.size() - SCHEDULE_SHOWN);
    text.append(String.format("  schedule so far (%d entries; the last %d, all in %s):%n", before.size(),
        before.size() - from, file));
    before.subList(from, before.size()).forEach(e -> text.append("    ").append(e).append('\n'));
    List<String> lines = hostLogs.around(at, 3, 40);
    text.append(String.format("  host log within 3 s of it (%d lines):%n", lines.size()));
    lines.forEach(l -> text.append("    ").append(l).append('\n'));
    synchronized (out) {
      out.print(text);
      out.flush();
    }
    append(text.toString().stripTrailing());
  }

  synchronized List<Violation> violations() {
    return List.copyOf(violations);
  }

  synchronized int events() {
    return entries.size();
  }

  private synchronized void append(String line) {
    try {
      Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
