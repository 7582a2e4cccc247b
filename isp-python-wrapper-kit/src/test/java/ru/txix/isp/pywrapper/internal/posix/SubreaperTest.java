package ru.txix.isp.pywrapper.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test JVM as the child subreaper: real processes, real zombies. Each test undoes it at the end (the JVM
 * runs other tests' processes too).
 */
@Tag("process")
class SubreaperTest {
  private static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin");

  @TempDir
  Path dir;

  @BeforeEach
  void subreaper() {
    org.junit.jupiter.api.Assumptions.assumeTrue(NativeSpawn.available() && ProcTable.available(),
        "Linux with glibc 2.29+ only");
    assertThat(Subreaper.enable()).isTrue();
  }

  @AfterEach
  void undo() {
    Subreaper.reapOrphans();
    Subreaper.disable();
  }

  @Test
  void aGrandchildOrphanedByItsParentIsReparentedToTheHostAndReapedWithItsExitCode() throws Exception {
    Path pidFile = dir.resolve("grandchild.pid");
    // The child starts a grandchild in the background and exits at once; the grandchild exits 7 a moment later.
    int child = spawn("(sleep 0.3; exit 7) & echo $! > " + pidFile + "; exit 0");
    assertThat(NativeSpawn.reap(child)).isZero();
    long grandchild = Long.parseLong(awaitFile(pidFile));
    assertThat(ProcTable.read(grandchild).orElseThrow().ppid()).as("the orphan's new parent")
        .isEqualTo(ProcessHandle.current().pid());

    await().atMost(Duration.ofSeconds(10)).until(() -> ProcTable.read(grandchild).map(e -> e.state() == 'Z')
        .orElse(false));
    assertThat(Subreaper.anyExited()).isTrue();
    List<Subreaper.Reaped> reaped = Subreaper.reapOrphans();

    assertThat(reaped).containsExactly(new Subreaper.Reaped(grandchild, 7));
    assertThat(ProcTable.read(grandchild)).as("no zombie left").isEmpty();
    assertThat(Subreaper.anyExited()).isFalse();
  }

  @Test
  void theHostsOwnChildrenKeepTheirExitCodesWhileOrphansAreReapedAllAround() throws Exception {
    AtomicBoolean sweeping = new AtomicBoolean(true);
    List<Subreaper.Reaped> reaped = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> sweeper = CompletableFuture.runAsync(() -> {
      while (sweeping.get()) {
        reaped.addAll(Subreaper.reapOrphans());
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
    });
    try {
      for (int i = 0; i < 5; i++) {
        // natively spawned children (the supervisor's way), each leaving an orphan that exits too
        int nativeChild = spawn("(sleep 0.1; exit 9) & sleep 0.05; exit " + (20 + i));
        // and children the JDK starts (in the host's session): the JDK's reaper waits for each by pid
        Process jdkChild = new ProcessBuilder("sh", "-c", "sleep 0.05; exit " + (30 + i)).start();

        assertThat(NativeSpawn.reap(nativeChild)).isEqualTo(20 + i);
        assertThat(jdkChild.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jdkChild.exitValue()).isEqualTo(30 + i);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> reaped.size() == 5);
    } finally {
      sweeping.set(false);
      sweeper.get(10, TimeUnit.SECONDS);
    }
    assertThat(reaped).extracting(Subreaper.Reaped::exitCode).containsOnly(9);
  }

  private int spawn(String script) throws Exception {
    return NativeSpawn.spawn("/bin/sh", List.of("sh", "-c", script), ENVIRONMENT, dir, -1);
  }

  private static String awaitFile(Path file) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && !Files.readString(file).isBlank());
    try {
      return Files.readString(file).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
