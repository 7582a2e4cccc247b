package ru.txix.isp.pywrapper.app;

import ru.txix.isp.pywrapper.config.SchemaValidator;
import ru.txix.isp.pywrapper.internal.posix.NativeSpawn;

/**
 * Loads, on a thread of its own, what the first spawn needs besides the main thread's work: the native layer
 * (JNA and libc, ~100 ms on a cold JVM). Idempotent; the thread ends when done.
 *
 * <p>Logging is not initialized here, although it costs as much: while another thread initializes it, SLF4J
 * hands out stand-in loggers, whose lines are replayed later with a warning, or lost at an early exit.
 */
public final class Warmup {
  private static boolean started;

  private Warmup() {
  }

  /** Starts loading, once per JVM. */
  public static synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    daemon("native-warmup", NativeSpawn::preload);
  }

  /**
   * For a module with a schema file: builds the schema library's JSON mapper meanwhile (it logs nothing; the
   * schema check itself, which logs, runs once logging is up).
   */
  public static void schemaTools() {
    daemon("schema-warmup", SchemaValidator::preload);
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }
}
