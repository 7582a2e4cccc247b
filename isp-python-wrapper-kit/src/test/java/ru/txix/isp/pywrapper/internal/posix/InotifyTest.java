package ru.txix.isp.pywrapper.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InotifyTest {
  @TempDir
  Path dir;

  @Test
  void aWriteInTheFolderEndsTheWaitAtOnce() throws Exception {
    Inotify inotify = watch();
    CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> inotify.await(10_000));
    Thread.sleep(200);
    long written = System.nanoTime();
    Files.writeString(dir.resolve("config.json"), "{}");

    assertThat(waited.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - written).isLessThan(TimeUnit.SECONDS.toNanos(2));
    // One write is several events (created, modified, closed) that may arrive across a few waits; each wait
    // consumes what it saw, so the folder falls quiet: events left unread would make every wait return at once.
    int wakes = 0;
    while (inotify.await(200)) {
      wakes++;
      assertThat(wakes).as("waits that returned on the same write").isLessThanOrEqualTo(3);
    }
    assertThat(inotify.await(100)).as("the events were consumed").isFalse();
    inotify.close();
  }

  @Test
  void wakeEndsAWaitForGood() throws Exception {
    Inotify inotify = watch();
    CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> inotify.await(30_000));
    Thread.sleep(200);

    inotify.wake();

    assertThat(waited.get(5, TimeUnit.SECONDS)).isFalse();
    Files.writeString(dir.resolve("late.json"), "{}");
    assertThat(inotify.await(10_000)).isFalse();
    inotify.close();
  }

  private Inotify watch() {
    Assumptions.assumeTrue(NativeSpawn.available(), "no native layer here");
    return Inotify.watch(dir).orElseThrow();
  }
}
