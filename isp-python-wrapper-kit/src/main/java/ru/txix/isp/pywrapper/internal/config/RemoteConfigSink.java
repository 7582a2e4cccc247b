package ru.txix.isp.pywrapper.internal.config;

/**
 * Where a remote config goes from wherever it arrived — a config-service session, the offline file — and the one
 * answer it gets: {@link Verdict.Accepted} or {@link Verdict.Rejected} with the problems. Called on one thread at a
 * time, in arrival order; never throws for bad input.
 */
@FunctionalInterface
public interface RemoteConfigSink {
  /**
   * Takes {@code config}, which arrived from {@code source} (an event's name, a file's).
   *
   * @return whether it was accepted, and if not why
   */
  Verdict configReceived(String source, ConfigDocument config);
}
