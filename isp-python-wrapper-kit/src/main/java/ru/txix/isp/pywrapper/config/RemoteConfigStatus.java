package ru.txix.isp.pywrapper.config;

import java.time.Clock;
import java.time.Instant;

/**
 * Whether the last remote config was valid, for the {@code remoteConfig} health component: failing with the
 * rejection's message from an invalid config until a valid one arrives; failing "no remote config yet" until
 * the first one.
 */
public final class RemoteConfigStatus {
  /** The state at one moment. */
  public record Snapshot(boolean lastValid, boolean validInEffect, String message, Instant at, long accepted,
                         long rejected) {
  }

  private final Clock clock;
  private volatile Snapshot snapshot;

  public RemoteConfigStatus(Clock clock) {
    this.clock = clock;
    this.snapshot = new Snapshot(false, false, "no remote config received yet", clock.instant(), 0, 0);
  }

  public synchronized void accepted() {
    Snapshot s = snapshot;
    snapshot = new Snapshot(true, true, "", clock.instant(), s.accepted() + 1, s.rejected());
  }

  public synchronized void rejected(String reason) {
    Snapshot s = snapshot;
    snapshot = new Snapshot(false, s.validInEffect(), reason, clock.instant(), s.accepted(), s.rejected() + 1);
  }

  public boolean validInEffect() {
    return snapshot.validInEffect();
  }

  public Snapshot snapshot() {
    return snapshot;
  }
}
