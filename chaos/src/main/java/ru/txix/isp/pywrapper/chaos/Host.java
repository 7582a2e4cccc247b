package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ru.txix.isp.pywrapper.testing.ProcStatus;

/**
 * One host: the production start script ({@code bin/isp-python-wrapper}, which execs java: the script's pid is
 * the JVM's) run in the project's folder, its output (the host's JSON log lines, and whatever the child prints)
 * appended to a file of its own.
 */
final class Host {
  /** A sample of the host's threads, descriptors and memory, with its age. */
  record Sample(Duration age, ProcStatus status) {
  }

  final int index;
  final Path log;
  final Instant started = Instant.now();
  private final Process process;
  private final List<Sample> samples = new ArrayList<>();
  private long readOffset;
  private final StringBuilder partial = new StringBuilder();

  private Host(int index, Process process, Path log) {
    this.index = index;
    this.process = process;
    this.log = log;
  }

  static Host start(int index, Path script, Path directory, Map<String, String> environment, Path log) {
    ProcessBuilder builder = new ProcessBuilder(script.toAbsolutePath().toString())
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(environment);
    try {
      return new Host(index, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  void signal(String name) {
    Signals.send(name, pid());
  }

  /** The exit code, or -1 if the host still runs after {@code timeout}. */
  int awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Threads, descriptors and memory now (nothing if the host is gone). */
  synchronized void sample() {
    if (process.isAlive()) {
      try {
        samples.add(new Sample(Duration.between(started, Instant.now()), ProcStatus.of(pid())));
      } catch (UncheckedIOException e) {
        // exited meanwhile
      }
    }
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The complete lines written since the last call. */
  synchronized List<String> newLines() {
    List<String> lines = new ArrayList<>();
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      if (file.length() <= readOffset) {
        return lines;
      }
      file.seek(readOffset);
      byte[] bytes = new byte[(int) Math.min(file.length() - readOffset, 16 << 20)];
      file.readFully(bytes);
      readOffset += bytes.length;
      partial.append(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return lines;
    }
    int newline;
    while ((newline = partial.indexOf("\n")) >= 0) {
      lines.add(partial.substring(0, newline));
      partial.delete(0, newline + 1);
    }
    return lines;
  }

  /** Stops the host if it runs (SIGTERM, SIGKILL after 15 s). */
  void close() {
    if (process.isAlive()) {
      process.destroy();
      if (awaitExit(Duration.ofSeconds(15)) == -1) {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(5));
      }
    }
  }

  @Override
  public String toString() {
    return "host #" + index + " (pid " + pid() + ")";
  }
}
