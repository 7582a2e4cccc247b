package ru.txix.isp.pywrapper.app;

import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.config.SchemaValidator;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;

/**
 * Loads, on threads of their own, what the first spawn needs besides the main thread's work: the native layer
 * (JNA and libc) and logging (SLF4J and Logback), some 30 ms of a cold JVM each. Idempotent; the threads end
 * when done.
 *
 * <p>While another thread initializes logging, SLF4J hands out stand-in loggers, which forward to the real ones
 * once it is done, and queues the lines logged meanwhile, to replay them later with a warning (or lose them at
 * an early exit). So whatever the main thread does meanwhile logs nothing — reading and checking the files —
 * and {@link #awaitLogging} comes before the first line.
 */
public final class Warmup {
  private static boolean started;
  private static Thread logging;

  private Warmup() {
  }

  /** Starts loading the native layer, once per JVM. */
  public static synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    daemon("native-warmup", NativeSpawn::preload);
  }

  /** Starts initializing logging, once per JVM, unless it is done or under way. */
  public static synchronized void startLogging() {
    if (logging == null) {
      logging = daemon("logging-warmup", LoggerFactory::getILoggerFactory);
    }
  }

  /** Waits until logging is initialized, if {@link #startLogging} started it; before the first line. */
  public static void awaitLogging() {
    Thread thread;
    synchronized (Warmup.class) {
      thread = logging;
    }
    if (thread == null) {
      return;
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * For a module with a schema file: builds the schema library's JSON mapper meanwhile (it logs nothing; the
   * schema check itself, which logs, runs once logging is up).
   */
  public static void schemaTools() {
    daemon("schema-warmup", SchemaValidator::preload);
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
