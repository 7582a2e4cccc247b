package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class QueuedLinesTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final QueuedLines lines = lines(out);

  @Test
  void writesEveryLineInOrderAndDrainWaitsForThem() {
    for (int i = 0; i < 10_000; i++) {
      lines.doAppend(LogbackDefaults.event("test", Level.INFO, "line " + i));
    }

    lines.drain(5000);

    List<String> written = written();
    assertThat(written).hasSize(10_000);
    assertThat(written.get(0)).isEqualTo("line 0");
    assertThat(written.get(9_999)).isEqualTo("line 9999");
  }

  @Test
  void theLastLineStaysLastWhateverOtherThreadsStillLog() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch logging = new CountDownLatch(4);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        logging.countDown();
        for (int i = 0; running.get(); i++) {
          lines.doAppend(LogbackDefaults.event("test", Level.INFO, "thread " + id + " line " + i));
        }
      });
      thread.start();
      threads.add(thread);
    }
    logging.await();
    Thread.sleep(20);

    lines.write(LogbackDefaults.event("test", Level.INFO, "shutdown completed"), true, 5000);
    Thread.sleep(20);
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
    lines.drain(5000);

    List<String> written = written();
    assertThat(written.size()).isGreaterThan(1);
    assertThat(written.get(written.size() - 1)).isEqualTo("shutdown completed");
  }

  @Test
  void aLineWrittenWithoutClosingLetsLaterLinesThrough() {
    lines.write(LogbackDefaults.event("test", Level.INFO, "shutdown completed"), false, 5000);
    lines.doAppend(LogbackDefaults.event("test", Level.INFO, "after"));
    lines.close(5000);
    lines.doAppend(LogbackDefaults.event("test", Level.INFO, "after the close"));
    lines.drain(5000);

    assertThat(written()).containsExactly("shutdown completed", "after");
  }

  private List<String> written() {
    return List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
  }

  private static QueuedLines lines(ByteArrayOutputStream out) {
    ch.qos.logback.core.encoder.EncoderBase<ILoggingEvent> encoder = new ch.qos.logback.core.encoder.EncoderBase<>() {
      @Override
      public byte[] headerBytes() {
        return new byte[0];
      }

      @Override
      public byte[] encode(ILoggingEvent event) {
        return (event.getFormattedMessage() + "\n").getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] footerBytes() {
        return new byte[0];
      }
    };
    QueuedLines lines = new QueuedLines(encoder, new PrintStream(out, true, StandardCharsets.UTF_8));
    lines.setContext(new LoggerContext());
    lines.start();
    return lines;
  }
}
