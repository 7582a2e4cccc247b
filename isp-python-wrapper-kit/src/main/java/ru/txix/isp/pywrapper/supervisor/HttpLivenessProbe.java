package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import ru.txix.isp.pywrapper.internal.time.Scheduler;

/**
 * Liveness by HTTP GET, like a Kubernetes livenessProbe: {@code http://<binding>/<path>} every period, with the
 * timeout as connect and read limit; a 2xx answer passes, anything else (timeout, refused, other status)
 * fails. Runs on the given scheduler's thread.
 */
final class HttpLivenessProbe implements LivenessProbe {
  private final Scheduler scheduler;

  /** {@code scheduler} should be dedicated to probing: a check blocks for up to the timeout. */
  public HttpLivenessProbe(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public Cancellable watch(BindingAddress binding, SupervisorSettings.Liveness liveness,
                           Consumer<Optional<String>> result) {
    AtomicBoolean cancelled = new AtomicBoolean();
    Runnable check = new Runnable() {
      @Override
      public void run() {
        if (cancelled.get()) {
          return;
        }
        Optional<String> failure = check(binding, liveness);
        if (!cancelled.get()) {
          result.accept(failure);
          scheduler.schedule(liveness.period(), this);
        }
      }
    };
    scheduler.schedule(liveness.period(), check);
    return () -> cancelled.set(true);
  }

  static Optional<String> check(BindingAddress binding, SupervisorSettings.Liveness liveness) {
    int timeout = (int) liveness.timeout().toMillis();
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) binding.httpUri(liveness.path()).toURL().openConnection();
      connection.setConnectTimeout(timeout);
      connection.setReadTimeout(timeout);
      connection.setUseCaches(false);
      int status = connection.getResponseCode();
      InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      if (body != null) {
        try (body) {
          body.readAllBytes();
        }
      }
      return status / 100 == 2 ? Optional.empty()
          : Optional.of("GET " + liveness.path() + " answered HTTP " + status);
    } catch (SocketTimeoutException e) {
      return Optional.of("GET " + liveness.path() + ": no answer within " + timeout + "ms");
    } catch (IOException e) {
      if (connection != null) {
        connection.disconnect();
      }
      return Optional.of("GET " + liveness.path() + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }
}
