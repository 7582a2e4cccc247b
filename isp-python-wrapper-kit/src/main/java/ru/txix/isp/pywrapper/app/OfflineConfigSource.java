package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Offline mode's remote config: a file, read at start and then watched; every change of its bytes is handed
 * on. Changes are noticed through the file system's watch service where it has one, and by a poll every
 * {@code pollInterval} otherwise (and as a safety net).
 *
 * <p>One thread, "offline-config", does the watching. The consumer runs on it.
 */
final class OfflineConfigSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OfflineConfigSource.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** How long a file that is not valid JSON gets to become valid (a writer still busy) before it is reported. */
  private static final Duration SETTLE = Duration.ofMillis(100);

  private final Path file;
  private final String displayName;
  private final Consumer<byte[]> consumer;
  private final Duration pollInterval;
  private volatile boolean closed;
  private WatchService watcher;
  private Thread thread;
  private byte[] last;
  private byte[] unparsable;
  private boolean reportedMissing;

  OfflineConfigSource(Path file, String displayName, Consumer<byte[]> consumer, Duration pollInterval) {
    this.file = file.toAbsolutePath().normalize();
    this.displayName = displayName;
    this.consumer = consumer;
    this.pollInterval = pollInterval;
  }

  /**
   * Reads the file once and hands it on, then starts watching.
   *
   * @throws ConfigException if the file does not exist or cannot be read
   */
  void start() {
    try {
      last = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(displayName + ": file not found (" + file
          + "); offline mode reads the remote config from it (key remoteConfigPath sets another file)");
    } catch (IOException e) {
      throw new ConfigException(displayName + ": cannot read the file: " + e, e);
    }
    try {
      watcher = FileSystems.getDefault().newWatchService();
      file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    } catch (IOException | UnsupportedOperationException e) {
      log.atWarn().addKeyValue("file", file.toString()).log("no file watch service; polling every "
          + pollInterval.toMillis() + "ms");
      watcher = null;
    }
    consumer.accept(last);
    thread = NamedThreads.daemon("offline-config").newThread(this::watch);
    thread.start();
    log.atInfo().addKeyValue("file", file.toString()).log("watching the offline remote config for changes");
  }

  private void watch() {
    while (!closed) {
      try {
        long wait = unparsable != null ? SETTLE.toMillis() : pollInterval.toMillis();
        WatchKey key = watcher == null ? null : watcher.poll(wait, TimeUnit.MILLISECONDS);
        if (watcher == null) {
          Thread.sleep(wait);
        }
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
        check();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        log.atError().setCause(e).log("offline config watcher failed; continuing");
      }
    }
  }

  private void check() {
    byte[] current;
    try {
      current = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      if (!reportedMissing) {
        reportedMissing = true;
        log.atWarn().addKeyValue("file", file.toString())
            .log(displayName + ": file removed; the python service keeps its current config");
      }
      return;
    } catch (IOException e) {
      log.atWarn().addKeyValue("file", file.toString()).log(displayName + ": cannot read: " + e);
      return;
    }
    reportedMissing = false;
    if (Arrays.equals(current, last) || closed) {
      unparsable = null;
      return;
    }
    if (!parses(current) && !Arrays.equals(current, unparsable)) {
      unparsable = current; // maybe caught mid-write: look again shortly before calling it broken
      return;
    }
    unparsable = null;
    last = current;
    log.atInfo().addKeyValue("file", file.toString()).log("offline remote config changed");
    consumer.accept(current);
  }

  /** True for a complete JSON document; an empty file (a writer that truncated first) is not one yet. */
  private static boolean parses(byte[] content) {
    try {
      var node = JSON.readTree(content);
      return node != null && !node.isMissingNode();
    } catch (JacksonException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
