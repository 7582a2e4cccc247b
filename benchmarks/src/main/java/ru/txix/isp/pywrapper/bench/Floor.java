package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.JsonNode;

/** {@code uv run main.py} started directly: the time any host has to wait for. */
final class Floor implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Path dir;
  private final Inbox inbox = new Inbox();
  private final Map<String, String> environment;

  Floor(Path dir) throws IOException {
    this.dir = dir;
    PythonProject project = PythonProject.in(dir);
    project.write("config.json", "{}");
    environment = new HashMap<>(project.environment());
    environment.put("BINDING_ADDRESS", "127.0.0.1:" + FreePort.find());
    environment.put("CONFIG_FILE", dir.resolve("config.json").toString());
    environment.put("FIXTURE_NOTIFY", inbox.address());
  }

  /** {start → listening, SIGTERM → exited} in nanoseconds. */
  long[] sample() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Uv.binary().toString(), "run", "main.py")
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("uv.out").toFile()));
    builder.environment().clear();
    builder.environment().putAll(environment);
    inbox.clear();
    long start = System.nanoTime();
    Process process = builder.start();
    JsonNode listening = inbox.await("listening", e -> true, WAIT);
    long startNanos = listening.get("monotonicNs").asLong() - start;
    Thread.sleep(50);
    long stop = System.nanoTime();
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
    return new long[] {startNanos, System.nanoTime() - stop};
  }

  @Override
  public void close() {
    inbox.close();
  }
}
