package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

  @Test
  void theIdleTaskRunsOnTheWaitingThreadAfterTheFirstDelayThenEveryPeriodAndNotAfterTheEnd() throws Exception {
    List<Long> runs = Collections.synchronizedList(new ArrayList<>());
    Thread[] runner = new Thread[1];
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("supervisor"))).whileWaiting(
        Duration.ofMillis(300), Duration.ofMillis(100), () -> {
          runs.add(System.nanoTime());
          assertThat(Thread.currentThread()).isSameAs(runner[0]);
        });
    long begin = System.nanoTime();
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
      runner[0] = Thread.currentThread();
      return lifecycle.run();
    });

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.size() >= 3);
    lifecycle.end(Lifecycle.Ending.signal("SIGTERM"));
    assertThat(code.get(5, TimeUnit.SECONDS)).isEqualTo(Lifecycle.EXIT_OK);
    int afterEnd = runs.size();

    assertThat((runs.get(0) - begin) / 1_000_000).as("first run, ms after the start").isGreaterThanOrEqualTo(290);
    assertThat((runs.get(1) - runs.get(0)) / 1_000_000).as("then every 100 ms").isBetween(90L, 1_000L);
    Thread.sleep(300);
    assertThat(runs).hasSize(afterEnd);
    assertThat(history).containsExactly("start supervisor", "stop supervisor");
  }

  @Test
  void severalIdleTasksEachKeepTheirOwnSchedule() throws Exception {
    List<String> runs = Collections.synchronizedList(new ArrayList<>());
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("supervisor")))
        .whileWaiting(Duration.ofMillis(50), Duration.ofMillis(50), () -> runs.add("often"))
        .whileWaiting(Duration.ofMillis(400), Duration.ofHours(1), () -> runs.add("rarely"));
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(lifecycle::run);

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.contains("rarely") && runs.size() >= 6);
    lifecycle.end(Lifecycle.Ending.signal("SIGTERM"));
    assertThat(code.get(5, TimeUnit.SECONDS)).isEqualTo(Lifecycle.EXIT_OK);

    assertThat(runs).containsOnlyOnce("rarely");
    assertThat(runs.indexOf("rarely")).as("after the frequent task's first runs").isGreaterThanOrEqualTo(2);
  }

  @Test
  void aFailingIdleTaskDoesNotEndTheRun() throws Exception {
    List<Long> runs = Collections.synchronizedList(new ArrayList<>());
    Lifecycle lifecycle = new Lifecycle(List.of(new Recording("supervisor"))).whileWaiting(
        Duration.ofMillis(10), Duration.ofMillis(10), () -> {
          runs.add(System.nanoTime());
          throw new IllegalStateException("boom");
        });
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(lifecycle::run);

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.size() >= 2);
    assertThat(code).isNotDone();
    lifecycle.end(Lifecycle.Ending.signal("SIGTERM"));
    assertThat(code.get(5, TimeUnit.SECONDS)).isEqualTo(Lifecycle.EXIT_OK);
  }
}
