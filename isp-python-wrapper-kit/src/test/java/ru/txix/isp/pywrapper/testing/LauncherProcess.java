package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The launcher jar run as a process of its own ({@code java -jar}) in a Python project's folder, its stdout
 * and stderr (the host's JSON log lines and the child's output) captured to a file.
 */
public final class LauncherProcess implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Process process;
  private final Path output;

  private LauncherProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code java [jvmArgs] -jar jar} in {@code directory} with exactly {@code environment}. */
  public static LauncherProcess start(Path jar, Path directory, Map<String, String> environment,
                                      List<String> jvmArgs) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    return run(command, directory, environment);
  }

  /** Runs {@code command} (a start script, say) in {@code directory} with exactly {@code environment}. */
  public static LauncherProcess run(List<String> command, Path directory, Map<String, String> environment) {
    Path output = directory.resolve("launcher.out");
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    try {
      return new LauncherProcess(builder.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** Everything written so far. */
  public List<String> lines() {
    try {
      return Files.exists(output) ? Files.readAllLines(output, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The host's log lines (one JSON object each) written so far; the child's own lines are skipped. */
  public List<JsonNode> logs() {
    List<JsonNode> logs = new ArrayList<>();
    for (String line : lines()) {
      if (line.startsWith("{")) {
        try {
          JsonNode node = JSON.readTree(line);
          if (node.has("message") && node.has("level")) {
            logs.add(node);
          }
        } catch (JacksonException e) {
          // a child's line that merely starts with '{'
        }
      }
    }
    return logs;
  }

  public List<JsonNode> logs(Predicate<JsonNode> filter) {
    return logs().stream().filter(filter).collect(Collectors.toList());
  }

  /** Log lines whose message contains {@code text}. */
  public List<JsonNode> logsContaining(String text) {
    return logs(log -> log.path("message").asString().contains(text));
  }

  public JsonNode awaitLog(Predicate<JsonNode> filter, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> !logs(filter).isEmpty());
    return logs(filter).get(0);
  }

  public JsonNode awaitLogContaining(String text, Duration timeout) {
    return awaitLog(log -> log.path("message").asString().contains(text), timeout);
  }

  /** Sends a signal by name ({@code TERM}, {@code INT}, {@code KILL}) to the launcher's JVM. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the exit and returns its code; fails the test if the process is still running then. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("launcher still running after " + timeout + "; output:\n"
            + String.join("\n", lines()));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /**
   * Stops the launcher if it still runs: SIGTERM, so that it stops its child's group (a killed host leaves a
   * child starting, uv writing into the project while the test's folder is deleted), SIGKILL after 15 s (a
   * child ignoring SIGTERM takes the host's stop timeout). What the host could not stop the caller cleans.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
