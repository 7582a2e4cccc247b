package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import ru.txix.isp.pywrapper.internal.posix.NativeSockets;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import ru.txix.isp.pywrapper.supervisor.SupervisorState;

/** The host's sd_notify messages, received by a Unix datagram socket standing in for systemd. */
@EnabledOnOs(OS.LINUX)
class SystemdNotifierTest {
  private static final long PID = ProcessHandle.current().pid();

  private Path dir;
  private Path socketPath;
  private int socket;
  private final AtomicReference<Optional<String>> liveness = new AtomicReference<>(Optional.empty());
  private SystemdNotifier notifier;

  @BeforeEach
  void systemd() throws IOException {
    // A short path: a socket's name is at most 107 bytes.
    dir = Files.createTempDirectory(Path.of("/tmp"), "sd");
    socketPath = dir.resolve("notify");
    socket = NativeSockets.datagram(socketPath, 100);
  }

  @AfterEach
  void close() throws IOException {
    if (notifier != null) {
      notifier.close();
    }
    NativeSockets.close(socket);
    Files.deleteIfExists(socketPath);
    Files.deleteIfExists(dir);
  }

  @Test
  void readyOnceWhenTheChildServesTheFirstTimeWithItsStateAsStatusThenStopping() throws Exception {
    notifier = notifier(Map.of("NOTIFY_SOCKET", socketPath.toString()));

    notifier.stateChanged(SupervisorState.IDLE, snapshot(SupervisorState.STARTING, "spawned pid 42"));
    notifier.stateChanged(SupervisorState.STARTING, snapshot(SupervisorState.RUNNING, "pid 42 accepts"));
    notifier.stateChanged(SupervisorState.RUNNING, snapshot(SupervisorState.BACKOFF, "restarting in 2s"));
    notifier.stateChanged(SupervisorState.BACKOFF, snapshot(SupervisorState.RUNNING, "pid 43 accepts"));
    notifier.stopping("signal SIGTERM");
    notifier.stopping("signal SIGTERM");

    assertThat(receiveAll()).containsExactly(
        "STATUS=python service starting: spawned pid 42",
        "READY=1\nSTATUS=python service running: pid 42 accepts",
        "STATUS=python service backoff: restarting in 2s",
        "STATUS=python service running: pid 43 accepts",
        "STOPPING=1\nSTATUS=stopping: signal SIGTERM");
  }

  @Test
  void theWatchdogIsFedEveryHalfPeriodWhileTheHostIsLive() throws Exception {
    notifier = notifier(Map.of("NOTIFY_SOCKET", socketPath.toString(), "WATCHDOG_USEC", "400000",
        "WATCHDOG_PID", Long.toString(PID)));
    assertThat(notifier.watchdog()).isEqualTo(Duration.ofMillis(400));

    notifier.start();
    List<String> pings = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofMillis(1100).toNanos();
    while (System.nanoTime() < until) {
      NativeSockets.receive(socket).ifPresent(pings::add);
    }
    // every 200 ms from the start: 6 in 1.1 s, give or take a late one on a busy machine
    assertThat(pings).hasSizeBetween(3, 8).containsOnly("WATCHDOG=1");

    liveness.set(Optional.of("ending: gave up"));
    receiveAll();
    assertThat(receiveFor(Duration.ofMillis(500))).as("no pings while not live").isEmpty();
  }

  @Test
  void noWatchdogForAnotherProcessNorAfterTheStop() throws Exception {
    assertThat(notifier(Map.of("NOTIFY_SOCKET", socketPath.toString(), "WATCHDOG_USEC", "400000",
        "WATCHDOG_PID", "1")).watchdog()).isNull();

    notifier = notifier(Map.of("NOTIFY_SOCKET", socketPath.toString(), "WATCHDOG_USEC", "100000"));
    notifier.stopping("signal SIGTERM");
    notifier.feedWatchdog();
    assertThat(receiveAll()).containsExactly("STOPPING=1\nSTATUS=stopping: signal SIGTERM");
  }

  @Test
  void withoutNotifySocketThereIsNoNotifier() {
    assertThat(SystemdNotifier.from(Map.of("WATCHDOG_USEC", "100000"), PID, liveness::get)).isEmpty();
    assertThat(SystemdNotifier.from(Map.of("NOTIFY_SOCKET", ""), PID, liveness::get)).isEmpty();
  }

  @Test
  void theChildNeverGetsSystemdsVariables() {
    Map<String, String> host = Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "30000000",
        "WATCHDOG_PID", "7", "PATH", "/usr/bin");

    assertThat(SystemdNotifier.childEnvironment(host)).containsExactly(Map.entry("PATH", "/usr/bin"));
    Map<String, String> clean = Map.of("PATH", "/usr/bin");
    assertThat(SystemdNotifier.childEnvironment(clean)).isSameAs(clean);
  }

  @Test
  void aSocketThatIsGoneIsNoErrorForTheHost() throws Exception {
    notifier = notifier(Map.of("NOTIFY_SOCKET", dir.resolve("gone").toString()));

    notifier.stateChanged(SupervisorState.STARTING, snapshot(SupervisorState.RUNNING, "pid 42 accepts"));
    notifier.stopping("signal SIGTERM");

    assertThat(receiveAll()).isEmpty();
  }

  private SystemdNotifier notifier(Map<String, String> environment) {
    return SystemdNotifier.from(environment, PID, liveness::get).orElseThrow();
  }

  /** What arrived until the socket stayed quiet for its 100 ms timeout. */
  private List<String> receiveAll() throws IOException {
    List<String> messages = new ArrayList<>();
    for (Optional<String> message = NativeSockets.receive(socket); message.isPresent();
         message = NativeSockets.receive(socket)) {
      messages.add(message.get());
    }
    return messages;
  }

  private List<String> receiveFor(Duration duration) throws IOException {
    List<String> messages = new ArrayList<>();
    long until = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < until) {
      NativeSockets.receive(socket).ifPresent(messages::add);
    }
    return messages;
  }

  private static SupervisorSnapshot snapshot(SupervisorState state, String detail) {
    return new SupervisorSnapshot(state, detail, null, null, 1, null, 1, Map.of(), null, null, Map.of(), null, 0);
  }
}
