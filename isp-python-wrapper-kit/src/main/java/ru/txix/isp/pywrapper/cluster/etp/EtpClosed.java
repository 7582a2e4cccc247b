package ru.txix.isp.pywrapper.cluster.etp;

/**
 * How a connection ended.
 *
 * @param code the WebSocket close code (1000 normal, 1006 dropped, 1009 too big…)
 * @param reason what happened, for logs
 * @param byUs true when this side ended it
 */
public record EtpClosed(int code, String reason, boolean byUs) {
  public static final int NORMAL = 1000;
  public static final int ABNORMAL = 1006;
  public static final int TOO_BIG = 1009;

  /** Only a 1000 close counts as normal. */
  public boolean normal() {
    return code == NORMAL;
  }

  @Override
  public String toString() {
    return (byUs ? "closed by us" : "closed by the peer") + " with " + code + (reason.isEmpty() ? "" : ": " + reason);
  }
}
