package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import ru.txix.isp.pywrapper.config.ConfigException;

/** Components started in order, stopped in reverse, and the exit code of each way a run ends. */
class LifecycleTest {
  private final List<String> history = Collections.synchronizedList(new ArrayList<>());

  /** Records its start and stop; can be told to fail on start, or to end the run when started. */
  private final class Recording implements Component {
    private final String name;
    private final Exception failure;
    private final Runnable onStart;

    Recording(String name) {
      this(name, null, () -> { });
    }

    Recording(String name, Exception failure, Runnable onStart) {
      this.name = name;
      this.failure = failure;
      this.onStart = onStart;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void start() throws Exception {
      history.add("start " + name);
      if (failure != null) {
        throw failure;
      }
      onStart.run();
    }

    @Override
    public void stop() {
      history.add("stop " + name);
    }
  }

  @Test
  void componentsStartInOrderAndStopInReverseAfterASignalThenTheExitCodeIsZero() throws Exception {
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("supervisor"), new Recording("config source"),
        new Recording("infra", null, () -> lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM")))));

    int code = lifecycle[0].run();

    assertThat(code).isEqualTo(Lifecycle.EXIT_OK);
    assertThat(history).containsExactly("start supervisor", "start config source", "start infra",
        "stop infra", "stop config source", "stop supervisor");
  }

  @Test
  void aComponentThatFailsToStartStopsTheOnesBeforeItAndTheExitCodeIsOne() {
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("supervisor"), new Recording("config source"),
        new Recording("infra", new ConfigException("infra server port 9014: cannot listen"), () -> { }),
        new Recording("never")));

    int code = lifecycle.run();

    assertThat(code).isEqualTo(Lifecycle.EXIT_ERROR);
    assertThat(history).containsExactly("start supervisor", "start config source", "start infra",
        "stop config source", "stop supervisor");
  }

  @Test
  void anUnexpectedStartFailureIsAnErrorToo() {
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("a"),
        new Recording("b", new IllegalStateException("boom"), () -> { })));

    assertThat(lifecycle.run()).isEqualTo(Lifecycle.EXIT_ERROR);
    assertThat(history).containsExactly("start a", "start b", "stop a");
  }

  @Test
  void aFatalEndingStopsEverythingInReverseAndTheExitCodeIsOne() {
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("supervisor"), new Recording("infra", null,
        () -> lifecycle[0].end(Lifecycle.Ending.fatal("the python service exited quickly 4 times in a row")))));

    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_ERROR);
    assertThat(history).containsExactly("start supervisor", "start infra", "stop infra", "stop supervisor");
  }

  @Test
  void aSignalDuringStartUpStopsWhatRunsWithoutStartingTheRest() {
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(
        new Recording("supervisor", null, () -> lifecycle[0].end(Lifecycle.Ending.signal("SIGINT"))),
        new Recording("config source")));

    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_OK);
    assertThat(history).containsExactly("start supervisor", "stop supervisor");
  }

  @Test
  void aForcedShutdownExitsOneEvenWhenTheGracefulPathFinishes() {
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("supervisor", null, () -> {
      lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM"));
      assertThat(lifecycle[0].forced(() -> history.add("announced"))).isTrue();
    })));

    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_ERROR);
    assertThat(history).contains("announced");
  }

  @Test
  void onceTheRunHasEndedItIsTooLateToForceItAndItsExitCodeStands() {
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("supervisor")));
    lifecycle.end(Lifecycle.Ending.signal("SIGTERM"));

    assertThat(lifecycle.run()).isEqualTo(Lifecycle.EXIT_OK);
    assertThat(lifecycle.forced(() -> history.add("announced"))).isFalse();
    assertThat(lifecycle.finish(Lifecycle.EXIT_ERROR, true)).as("decided once").isEqualTo(Lifecycle.EXIT_OK);
    assertThat(history).doesNotContain("announced");
  }

  @Test
  void onlyTheFirstEndingCountsAndASecondStopDoesNothing() throws Exception {
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("a", null, () -> {
      lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM"));
      lifecycle[0].end(Lifecycle.Ending.fatal("later"));
    })));
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(lifecycle[0]::run);

    assertThat(code.get(5, TimeUnit.SECONDS)).isEqualTo(Lifecycle.EXIT_OK);
    lifecycle[0].stopStarted();
    assertThat(history).containsExactly("start a", "stop a");
  }

  /** Time that moves only while the run waits: a wait that the ending does not cut short lasts its whole length. */
  private static final class FakeTicker implements Lifecycle.Ticker {
    long now;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public boolean await(CompletableFuture<?> ending, long nanos) {
      if (!ending.isDone()) {
        now += nanos;
      }
      return ending.isDone();
    }

    long millis() {
      return now / 1_000_000;
    }
  }

  @Test
  void theIdleTaskRunsOnTheWaitingThreadAfterTheFirstDelayThenEveryPeriodAndNotAfterTheEnd() {
    FakeTicker time = new FakeTicker();
    List<Long> runs = new ArrayList<>();
    Thread runner = Thread.currentThread();
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("supervisor")), time).whileWaiting(
        Duration.ofMillis(300), Duration.ofMillis(100), () -> {
          runs.add(time.millis());
          assertThat(Thread.currentThread()).isSameAs(runner);
          if (runs.size() == 3) {
            lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM"));
          }
        }).whileWaiting(Duration.ofMillis(500), Duration.ofMillis(100), () -> runs.add(-1L));

    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_OK);

    assertThat(runs).as("at 300 ms, then every 100 ms; the task due with the end's is not run").containsExactly(300L,
        400L, 500L);
    assertThat(history).containsExactly("start supervisor", "stop supervisor");
  }

  @Test
  void severalIdleTasksEachKeepTheirOwnSchedule() {
    FakeTicker time = new FakeTicker();
    List<String> runs = new ArrayList<>();
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("supervisor")), time)
        .whileWaiting(Duration.ofMillis(50), Duration.ofMillis(50), () -> runs.add("often " + time.millis()))
        .whileWaiting(Duration.ofMillis(180), Duration.ofHours(1), () -> runs.add("rarely " + time.millis()))
        .whileWaiting(Duration.ofMillis(260), Duration.ofHours(1),
            () -> lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM")));

    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_OK);

    assertThat(runs).containsExactly("often 50", "often 100", "often 150", "rarely 180", "often 200", "often 250");
  }

  @Test
  void aFailingIdleTaskDoesNotEndTheRun() {
    FakeTicker time = new FakeTicker();
    List<Long> runs = new ArrayList<>();
    Lifecycle[] lifecycle = new Lifecycle[1];
    lifecycle[0] = new Lifecycle(List.of(new Recording("supervisor")), time).whileWaiting(
        Duration.ofMillis(10), Duration.ofMillis(10), () -> {
          runs.add(time.millis());
          if (runs.size() == 3) {
            lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM"));
          }
          throw new IllegalStateException("boom");
        });

    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_OK);
    assertThat(runs).containsExactly(10L, 20L, 30L);
  }

  @Test
  void aStopFromAnotherThreadDuringAStartStopsTheComponentBeingStartedAndStartsNoMore() throws Exception {
    CountDownLatch inStart = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("socket"), new Recording("supervisor", null, () -> {
      inStart.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }), new Recording("infra")));
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(lifecycle::run);
    assertThat(inStart.await(5, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> hook = CompletableFuture.runAsync(lifecycle::stopStarted); // the JVM's shutdown hook
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !hook.isDone());
    release.countDown();
    hook.get(5, TimeUnit.SECONDS);

    assertThat(history).containsExactly("start socket", "start supervisor", "stop supervisor", "stop socket");
    lifecycle.end(Lifecycle.Ending.signal("SIGTERM"));
    assertThat(code.get(5, TimeUnit.SECONDS)).isEqualTo(Lifecycle.EXIT_OK);
    assertThat(history).as("nothing started or stopped twice").hasSize(4);
  }
}
