package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.txix.isp.pywrapper.internal.json.JsonValues;

/**
 * The child record's writes on the test's time: a write that fails (its folder a file here, a full disk in
 * production) is retried every second until it is written; a removal supersedes it.
 */
class ChildRecordTest {
  @TempDir
  Path dir;
  private final FakeScheduler time = new FakeScheduler();

  @Test
  void aRecordThatCannotBeWrittenIsRetriedEverySecondUntilItIs() throws IOException {
    Path file = unwritable();
    ChildRecord record = new ChildRecord(file, Runnable::run, time);

    record.writeLater(child(4242, "1-1-1"));
    assertThat(Files.isRegularFile(file)).isFalse();
    time.advance(Duration.ofSeconds(1));
    assertThat(Files.isRegularFile(file)).isFalse();
    assertThat(time.pending()).as("the next attempt").isEqualTo(1);

    writable(file); // space is back
    time.advance(Duration.ofMillis(999));
    assertThat(Files.isRegularFile(file)).isFalse();
    time.advance(Duration.ofMillis(1));
    assertThat(JsonValues.read(Files.readString(file)).path("pid").asLong()).isEqualTo(4242);
    assertThat(JsonValues.read(Files.readString(file)).path("childId").asString()).isEqualTo("1-1-1");

    record.writeLater(child(4343, "1-2-2"));
    assertThat(JsonValues.read(Files.readString(file)).path("pid").asLong()).as("written at once").isEqualTo(4343);
  }

  @Test
  void theNewestChildIsTheOneRetried() throws IOException {
    Path file = unwritable();
    ChildRecord record = new ChildRecord(file, Runnable::run, time);

    record.writeLater(child(1, "1-1-1"));
    record.writeLater(child(2, "1-2-2"));
    writable(file);
    time.advance(Duration.ofSeconds(1));

    assertThat(JsonValues.read(Files.readString(file)).path("pid").asLong()).isEqualTo(2);
  }

  @Test
  void aRemovalSupersedesAWriteStillBeingRetriedAndCompletesOnceTheFileIsGone() throws IOException {
    Path file = unwritable();
    ChildRecord record = new ChildRecord(file, Runnable::run, time);
    record.writeLater(child(4242, "1-1-1"));

    CompletableFuture<Void> cleared = record.clearLater();
    writable(file);
    time.advance(Duration.ofSeconds(5));

    assertThat(cleared).isDone();
    assertThat(Files.isRegularFile(file)).isFalse();
  }

  @Test
  void aRemovalRunsAfterTheWritesQueuedBeforeItOnTheWritersThread() throws Exception {
    Path file = dir.resolve(".config.json.child");
    List<Runnable> queued = new ArrayList<>();
    ChildRecord record = new ChildRecord(file, queued::add, time);

    record.writeLater(child(4242, "1-1-1"));
    CompletableFuture<Void> cleared = record.clearLater();
    assertThat(cleared).as("nothing blocks the caller").isNotDone();
    queued.forEach(Runnable::run);

    assertThat(cleared).isDone();
    assertThat(Files.isRegularFile(file)).isFalse();
  }

  /** A record whose folder is a file: every write fails until {@link #writable}. */
  private Path unwritable() throws IOException {
    Files.writeString(dir.resolve("gone"), "");
    return dir.resolve("gone/.config.json.child");
  }

  private static void writable(Path file) throws IOException {
    Files.delete(file.getParent());
  }

  private static ChildProcess child(long pid, String childId) {
    return new Recorded(pid, childId);
  }

  /** A child as far as the record looks at it. */
  private record Recorded(long pid, String id) implements ChildProcess {
    @Override
    public long pgid() {
      return pid;
    }

    @Override
    public Optional<String> childId() {
      return Optional.of(id);
    }

    @Override
    public Optional<Instant> startInstant() {
      return Optional.of(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
      return new CompletableFuture<>();
    }

    @Override
    public void terminate() {
    }

    @Override
    public void kill() {
    }

    @Override
    public CompletableFuture<List<Long>> cleanUp() {
      return CompletableFuture.completedFuture(List.of());
    }
  }
}
