package ru.txix.isp.pywrapper.cluster;

/**
 * Hears what the cluster client does, for metrics and health; methods do nothing unless overridden. Called
 * on the client's threads; must be fast.
 */
public abstract class ClusterListener {

  /** A session to {@code host} begins (a connection is being made). */
  public void sessionStarting(String host, String sessionId) {
  }

  /** {@code MODULE:READY} was acknowledged: the module is routable. */
  public void sessionActive(String host, String sessionId) {
  }

  /** The session ended; {@code reason} says how. */
  public void sessionEnded(String host, String sessionId, String reason, boolean normal) {
  }
}
