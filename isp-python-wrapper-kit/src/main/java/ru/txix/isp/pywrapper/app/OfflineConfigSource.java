package ru.txix.isp.pywrapper.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.config.ConfigException;
import ru.txix.isp.pywrapper.internal.NamedThreads;
import ru.txix.isp.pywrapper.internal.config.ConfigDocument;
import ru.txix.isp.pywrapper.internal.config.RemoteConfigSink;
import ru.txix.isp.pywrapper.internal.posix.Inotify;

/**
 * Offline mode's remote config: a file, read at start and then watched; every change of its bytes is parsed
 * once and handed to the sink (the intake). On Linux the folder is watched with inotify, and the file read as
 * soon as something in it changes; elsewhere (and every second in any case) the file's size and modification time are
 * looked at every {@code pollInterval}, its bytes read when they change, and every {@value #REREAD_EVERY} looks
 * regardless (file systems with coarse timestamps).
 *
 * <p>One thread, "offline-config", does the watching; the sink runs on it (and, for the first read, on the
 * thread that starts the source). (Not the JDK's watch service: it costs a thread of its own.)
 */
final class OfflineConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(OfflineConfigSource.class);
  /** How long a file that is not valid JSON gets to become valid (a writer still busy) before it is reported. */
  private static final Duration SETTLE = Duration.ofMillis(100);

  private final Path file;
  private final String displayName;
  private final RemoteConfigSink configs;
  /** Every this many looks the bytes are read even if size and time are unchanged. */
  static final int REREAD_EVERY = 20;

  /** With inotify: how often the file is looked at without an event. */
  private static final Duration SAFETY_LOOK = Duration.ofSeconds(1);

  private final Duration pollInterval;
  private volatile boolean closed;
  private volatile Inotify inotify;
  private Thread thread;
  private FileTime lastModified;
  private long lastSize = -1;
  private int looks;
  private byte[] last;
  private byte[] unparsable;
  private boolean reportedMissing;

  OfflineConfigSource(Path file, String displayName, RemoteConfigSink configs, Duration pollInterval) {
    this.file = file.toAbsolutePath().normalize();
    this.displayName = displayName;
    this.configs = configs;
    this.pollInterval = pollInterval;
  }

  @Override
  public String name() {
    return "offline config source (" + displayName + ")";
  }

  @Override
  public boolean sessionActive() {
    return false;
  }

  /**
   * Reads the file once and hands it on, then starts watching.
   *
   * @throws ConfigException if the file does not exist or cannot be read
   */
  @Override
  public void start() {
    try {
      remember(Files.readAttributes(file, BasicFileAttributes.class));
      last = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(displayName + ": file not found (" + file
          + "); offline mode reads the remote config from it (key remoteConfigPath sets another file)");
    } catch (IOException e) {
      throw new ConfigException(displayName + ": cannot read the file: " + e, e);
    }
    configs.configReceived(displayName, ConfigDocument.parse(last));
    inotify = Inotify.watch(file.getParent()).orElse(null);
    thread = NamedThreads.daemon("offline-config").newThread(this::watch);
    thread.start();
    log.atInfo().addKeyValue("file", file.toString()).log("watching the offline remote config for changes");
  }

  private void watch() {
    Inotify changes = inotify;
    try {
      while (!closed) {
        try {
          long wait = unparsable != null ? SETTLE.toMillis() : changes != null ? SAFETY_LOOK.toMillis()
              : pollInterval.toMillis();
          boolean changed = false;
          if (changes != null) {
            changed = changes.await((int) wait);
          } else {
            Thread.sleep(wait);
          }
          if (!closed) {
            check(changed);
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          log.atError().setCause(e).log("offline config watcher failed; continuing");
        }
      }
    } finally {
      if (changes != null) {
        changes.close();
      }
    }
  }

  private void remember(BasicFileAttributes attributes) {
    lastModified = attributes.lastModifiedTime();
    lastSize = attributes.size();
  }

  /** Reads the file if it may have changed: an event in its folder, new size or time, or now and then. */
  private void check(boolean event) {
    byte[] current;
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      boolean same = attributes.size() == lastSize && attributes.lastModifiedTime().equals(lastModified);
      if (!event && same && unparsable == null && !reportedMissing && ++looks % REREAD_EVERY != 0) {
        return;
      }
      remember(attributes);
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
    ConfigDocument parsed = ConfigDocument.parse(current);
    if (parsed instanceof ConfigDocument.Unparsable && !Arrays.equals(current, unparsable)) {
      unparsable = current; // maybe caught mid-write: look again shortly before calling it broken
      return;
    }
    unparsable = null;
    last = current;
    log.atInfo().addKeyValue("file", file.toString()).log("offline remote config changed");
    configs.configReceived(displayName, parsed);
  }

  @Override
  public void stop() {
    closed = true;
    Inotify changes = inotify;
    if (changes != null) {
      changes.wake();
    }
    if (thread != null) {
      thread.interrupt();
    }
  }
}
