package ru.txix.isp.pywrapper.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The host's log lines, encoded and written to stderr on a thread of their own ("log-writer"), off the
 * supervisor's restart path — in the order they were logged, none dropped (a full queue blocks the caller),
 * never stopped: a line logged at any moment, by any thread, is written.
 *
 * <p>Before the process exits, {@link #drain} waits until every line logged before it is written;
 * {@link #write} writes a line made by the host (the run's last, whatever the level) after every line logged
 * before it, and {@link #close} makes the queue accept no more, so that the line that says how a run ended
 * stays the last one whatever other threads still do while the process exits. (Logback's
 * {@code AsyncAppender} could only be stopped for that, and a line logged after its stop is lost, with a
 * status message of Logback's own in its place.)
 */
final class QueuedLines extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private static final int CAPACITY = 4096;

  private final Encoder<ILoggingEvent> encoder;
  private final PrintStream out;
  private final BlockingQueue<ILoggingEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
  /** Held to log (shared) and to finish (exclusive): nothing is logged after the last line. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private final Object progress = new Object();
  private long queued;
  private long written;
  private boolean finished;

  QueuedLines(Encoder<ILoggingEvent> encoder, PrintStream out) {
    this.encoder = encoder;
    this.out = out;
  }

  @Override
  public void start() {
    Thread writer = new Thread(this::writeLines, "log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    gate.readLock().lock();
    try {
      if (!finished) {
        enqueue(event);
      }
    } finally {
      gate.readLock().unlock();
    }
  }

  private void enqueue(ILoggingEvent event) {
    synchronized (progress) {
      queued++;
    }
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(event);
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the line is not dropped for that
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Writes {@code line} after every line logged before it — and, if {@code close}, accepts no more lines after
   * it — and waits until it is written (at most {@code timeoutMillis}). Nothing is written once closed.
   */
  void write(ILoggingEvent line, boolean close, long timeoutMillis) {
    gate.writeLock().lock();
    try {
      if (!finished) {
        enqueue(line);
        finished = close;
      }
    } finally {
      gate.writeLock().unlock();
    }
    drain(timeoutMillis);
  }

  /** Accepts no more lines (the process exits next) and waits until the ones before are written. */
  void close(long timeoutMillis) {
    gate.writeLock().lock();
    try {
      finished = true;
    } finally {
      gate.writeLock().unlock();
    }
    drain(timeoutMillis);
  }

  /** Waits until every line logged before this call is written, at most {@code timeoutMillis}. */
  void drain(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (progress) {
      long target = queued;
      while (written < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(progress, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** In place of a line the encoder failed on: a line saying so, in the same format. */
  private static ILoggingEvent notEncoded(ILoggingEvent event, RuntimeException failure) {
    return LogbackDefaults.event(event.getLoggerName(), event.getLevel(),
        "a log line could not be encoded (" + failure + "): " + event.getMessage());
  }

  /** The writer thread: lines in batches, one write per batch. */
  private void writeLines() {
    List<ILoggingEvent> batch = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // nobody stops this thread; it dies with the JVM
      }
      queue.drainTo(batch);
      for (ILoggingEvent event : batch) {
        try {
          bytes.writeBytes(encoder.encode(event));
        } catch (RuntimeException e) {
          bytes.writeBytes(encoder.encode(notEncoded(event, e)));
        }
      }
      out.write(bytes.toByteArray(), 0, bytes.size());
      out.flush();
      bytes.reset();
      synchronized (progress) {
        written += batch.size();
        progress.notifyAll();
      }
      batch.clear();
    }
  }
}
