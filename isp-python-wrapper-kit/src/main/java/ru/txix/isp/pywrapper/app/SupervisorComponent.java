package ru.txix.isp.pywrapper.app;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;

/**
 * The Python supervisor as a component: started, it handles the inputs given so far — in offline mode the config
 * read from the file, so the child is spawned before the next component (the infra server) starts; stopped, it
 * stops the child (SIGTERM, SIGKILL after the stop timeout) and waits for it and what it left behind.
 */
final class SupervisorComponent implements Component {
  private static final Logger log = LoggerFactory.getLogger(SupervisorComponent.class);
  /** The longest wait for the inputs given before the start to be handled (the loop never blocks: far more). */
  private static final Duration START_AT_MOST = Duration.ofSeconds(10);

  private final PySupervisor supervisor;
  private final Duration stopTimeout;

  SupervisorComponent(PySupervisor supervisor, Duration stopTimeout) {
    this.supervisor = supervisor;
    this.stopTimeout = stopTimeout;
  }

  @Override
  public String name() {
    return "python supervisor";
  }

  @Override
  public void start() throws Exception {
    try {
      supervisor.start().get(START_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.atWarn().log("the python supervisor has not handled its first inputs within " + START_AT_MOST.toMillis()
          + "ms; starting the rest anyway");
    } catch (InterruptedException | ExecutionException e) {
      stop(); // its loop runs, and it may have spawned the child: a component that failed to start is not stopped
      throw e;
    }
  }

  @Override
  public void stop() {
    try {
      supervisor.stopAsync().get(stopTimeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.atError().setCause(e).log("the python process did not stop in time");
    }
  }
}
