package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * No secret reaches the log: configs whose keys name a password, a secret, a token or credentials go through every
 * path of the supervisor — started, unchanged, changed while starting, running, replacing, backing off and
 * overlapping, unwritable, a handler that fails, stopping and stopped — with every library logger at debug, and
 * none of their values appears in a line (message, key-value pairs or stack trace).
 */
class PySupervisorSecretsTest extends SupervisorHarness {
  private static final List<String> SECRETS = List.of("pw-7f3a", "sec-91c2", "tok-55d0", "cred-e8b1");

  private final Logger library = (Logger) LoggerFactory.getLogger("ru.txix.isp.pywrapper");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Level levelBefore;

  @BeforeEach
  void captureTheLog() {
    levelBefore = library.getLevel();
    library.setLevel(Level.DEBUG);
    lines.start();
    library.addAppender(lines);
  }

  @AfterEach
  void releaseTheLog() {
    library.detachAppender(lines);
    library.setLevel(levelBefore);
  }

  @Test
  void configsWithSecretsLeaveNoSecretValueInAnyLogLineOnAnyPath() throws Exception {
    boolean[] checkFails = {false};
    build(builder().bindingCheck(binding -> {
      if (checkFails[0]) {
        checkFails[0] = false;
        throw new IllegalStateException("binding check broke");
      }
      return foreignListener;
    }));
    supervisor.configReceived(config(1)); // IDLE: started
    supervisor.configReceived(config(1)); // unchanged
    supervisor.configReceived(config(2)); // STARTING: replaced once it has run a moment
    probe.accept();
    supervisor.configReceived(config(3)); // RUNNING
    time.advance(Duration.ofSeconds(2)); // RESTARTING (the child exits on its SIGTERM), then STARTING
    probe.accept();
    launcher.childrenIgnoreSigterm = true;
    time.advance(Duration.ofSeconds(10));
    supervisor.configReceived(config(4)); // RESTARTING: the child ignores SIGTERM
    supervisor.configReceived(config(5)); // RESTARTING, again
    launcher.last().exit(143);
    launcher.last().exit(1); // BACKOFF
    checkFails[0] = true;
    supervisor.configReceived(config(6)); // BACKOFF: the start fails in the handler, the input is logged at ERROR
    supervisor.configReceived(config(7)); // BACKOFF: started at once
    probe.accept();
    Files.delete(dir.resolve("config.json"));
    Files.createDirectory(dir.resolve("config.json"));
    time.advance(Duration.ofSeconds(10));
    supervisor.configReceived(config(8)); // unwritable
    Files.delete(dir.resolve("config.json"));
    time.advance(Duration.ofSeconds(2));
    supervisor.stopAsync();
    supervisor.configReceived(config(9)); // STOPPING
    time.advance(Duration.ofSeconds(5));
    supervisor.configReceived(config(10)); // STOPPED
    assertThat(supervisor.snapshot().state()).isEqualTo(SupervisorState.STOPPED);

    overlapping();

    String log = lines.list.stream().map(PySupervisorSecretsTest::render).collect(Collectors.joining("\n"));
    assertThat(log).contains("supervisor failed to handle ConfigReceived[config={", "binding check broke",
        "\"password\":\"***\"",
        "config unchanged", "cannot write config file", "config ignored: the supervisor is stopping",
        "ignored after stop", "RUNNING -> OVERLAPPING");
    for (String secret : SECRETS) {
      assertThat(log).as("the log, at debug").doesNotContain(secret);
    }
  }

  /** A second supervisor, whose config changes overlap the children. */
  private void overlapping() {
    launcher.childrenIgnoreSigterm = false;
    foreignListener = Optional.empty();
    build(builder().configFile(dir.resolve("overlap/config.json")).inheritedSocket(new FixedSocket(3, 4242))
        .readinessByNotification(dir.resolve("notify")));
    supervisor.configReceived(config(11));
    probe.accept();
    time.advance(Duration.ofSeconds(10));
    supervisor.configReceived(config(12)); // OVERLAPPING
    supervisor.configReceived(config(13)); // during the overlap
    probe.accept();
    supervisor.stopAsync();
  }

  private static JsonNode config(int version) {
    String v = "-v" + version;
    return json("{\"v\":" + version + ",\"db\":{\"host\":\"db\",\"password\":\"" + SECRETS.get(0) + v + "\"},"
        + "\"apiSecret\":\"" + SECRETS.get(1) + v + "\",\"auth\":{\"refreshToken\":\"" + SECRETS.get(2) + v + "\","
        + "\"credentials\":{\"key\":\"" + SECRETS.get(3) + v + "\"}},\"list\":[{\"token\":\"" + SECRETS.get(2)
        + v + "\"}]}");
  }

  private static String render(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " "
        + event.getFormattedMessage());
    if (event.getKeyValuePairs() != null) {
      event.getKeyValuePairs().forEach(pair -> line.append(' ').append(pair.key).append('=').append(pair.value));
    }
    if (event.getThrowableProxy() != null) {
      line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    return line.toString();
  }
}
