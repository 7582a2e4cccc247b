package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.RealProcessTest;

/**
 * Children a previous host left holding the binding address, found by what they carry when no record names them:
 * real processes listening on a real port, with the environment a host gives its children.
 */
@RealProcessTest
class StaleChildrenTest {
  @TempDir
  Path dir;
  /**
   * The interpreter itself, not a launcher in front of it (pyenv's {@code python3} is a shell script whose helper
   * processes carry the environment too, and would be reaped with the child they start).
   */
  private static String python;
  private final List<Process> started = new ArrayList<>();
  private final int port = FreePort.find();
  private final BindingAddress binding = new BindingAddress("127.0.0.1", port);

  @AfterEach
  void killAll() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void aChildOfAHostThatIsGoneIsKilledWithEveryProcessCarryingItsChildId() throws Exception {
    Path config = dir.resolve("config.json");
    String childId = goneHost() + "-1-123";
    Process holder = listening(config, childId);
    Process sibling = sleeping(config, childId);

    List<Long> killed = StaleChildren.reap(binding, config);

    assertThat(killed).containsExactlyInAnyOrder(holder.pid(), sibling.pid());
    assertThat(holder.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(sibling.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(accepts()).as("the address is free").isFalse();
  }

  @Test
  void aHolderOfAnotherConfigFileIsLeftAlone() throws Exception {
    Process holder = listening(dir.resolve("other/config.json"), goneHost() + "-1-123");

    assertThat(StaleChildren.reap(binding, dir.resolve("config.json"))).isEmpty();
    assertThat(holder.isAlive()).isTrue();
  }

  @Test
  void aChildWhoseHostStillRunsIsLeftAlone() throws Exception {
    Path config = dir.resolve("config.json");
    Process holder = listening(config, ProcessHandle.current().pid() + "-1-123"); // this JVM: its parent

    assertThat(StaleChildren.reap(binding, config)).isEmpty();
    assertThat(holder.isAlive()).isTrue();
  }

  @Test
  void aHolderWithoutAChildIdIsNoChildOfAHost() throws Exception {
    Path config = dir.resolve("config.json");
    Process holder = start(config, null, "import socket, time\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, "
        + "socket.SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', " + port + "))\ns.listen()\ntime.sleep(60)\n");
    await().atMost(Duration.ofSeconds(10)).until(this::accepts);

    assertThat(StaleChildren.reap(binding, config)).isEmpty();
    assertThat(holder.isAlive()).isTrue();
  }

  /** The pid of a process that has ended: the child id of a host that is gone. */
  private static long goneHost() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    return gone.pid();
  }

  private Process listening(Path config, String childId) throws IOException {
    Process holder = start(config, childId, "import socket, time\ns = socket.socket()\ns.setsockopt("
        + "socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', " + port + "))\ns.listen()\n"
        + "time.sleep(60)\n");
    await().atMost(Duration.ofSeconds(10)).until(this::accepts);
    return holder;
  }

  private Process sleeping(Path config, String childId) throws IOException {
    return start(config, childId, "import time\ntime.sleep(60)\n");
  }

  private static synchronized String python() throws IOException {
    if (python == null) {
      Process probe = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
      python = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    return python;
  }

  private Process start(Path config, String childId, String program) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(python(), "-c", program).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> environment = builder.environment();
    environment.put(PySupervisor.CONFIG_FILE, config.toString());
    if (childId != null) {
      environment.put(UvProcessLauncher.CHILD_ID_VARIABLE, childId);
    }
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
