package ru.txix.isp.pywrapper.supervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fixture of the supervisor's unit tests: fake children, readiness, liveness and time, a direct executor (inputs
 * are handled on the test's thread, in order), a fixed clock, and one history that the fakes and a recording
 * listener write to. No threads, no sleeping. A test class builds its supervisor from {@link #builder()}, changing
 * what it needs.
 */
abstract class SupervisorHarness {
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  final List<String> history = new ArrayList<>();
  final FakeScheduler time = new FakeScheduler();
  final FakeLauncher launcher = new FakeLauncher(history);
  final FakeReadinessProbe probe = new FakeReadinessProbe();
  final FakeLivenessProbe liveness = new FakeLivenessProbe();
  /** The reasons of {@link SupervisorListener#gaveUp}. */
  final List<String> gaveUp = new ArrayList<>();
  /** What the binding check answers: empty while the binding address is free. */
  Optional<String> foreignListener = Optional.empty();
  PySupervisor supervisor;

  /** Everything faked: {@code uv run main.py} in {@link #dir}, {@code 127.0.0.1:9200}, {@code config.json}. */
  PySupervisorBuilder builder() {
    return PySupervisor.builder()
        .bindingAddress(new BindingAddress("127.0.0.1", 9200))
        .configFile(dir.resolve("config.json"))
        .command(new LaunchSpec("uv", List.of(), "main.py", dir, Map.of("PATH", "/usr/bin")))
        .launcher(launcher)
        .scheduler(time)
        .executor(Runnable::run)
        .reaper(Runnable::run)
        .recordWriter(Runnable::run)
        .readinessProbe(probe)
        .livenessProbe(liveness)
        .bindingCheck(binding -> foreignListener)
        .addressDelivery(new RecordingAddressDelivery(history))
        .listener(new RecordingSupervisorListener(history))
        .listener(new SupervisorListener() {
          @Override
          public void gaveUp(String reason) {
            gaveUp.add(reason);
          }
        })
        .clock(Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC));
  }

  /** Builds and starts the supervisor. */
  PySupervisor build(PySupervisorBuilder builder) {
    supervisor = builder.build();
    supervisor.start();
    return supervisor;
  }

  /** A running child with {@code config}; the history is cleared. */
  void startRunning(String config) {
    supervisor.configReceived(json(config));
    probe.accept();
    history.clear();
  }

  /** What happened since the last call (or the last clear). */
  List<String> history() {
    List<String> copy = List.copyOf(history);
    history.clear();
    return copy;
  }

  JsonNode fileContent() {
    try {
      return JSON.readTree(Files.readString(dir.resolve("config.json")));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  /** As configs arrive: read by the host's reader, numbers with their text. */
  static JsonNode json(String text) {
    return JsonValues.read(text);
  }
}
