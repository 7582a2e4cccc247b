package ru.txix.isp.pywrapper.cluster;

/** ETP event names of the config-service protocol, exactly as on the wire. */
public final class ClusterEvents {
  public static final String MODULE_SEND_CONFIG_SCHEMA = "MODULE:SEND_CONFIG_SCHEMA";
  public static final String MODULE_SEND_REQUIREMENTS = "MODULE:SEND_REQUIREMENTS";
  public static final String MODULE_READY = "MODULE:READY";
  public static final String CONFIG_SEND_CONFIG_WHEN_CONNECTED = "CONFIG:SEND_CONFIG_WHEN_CONNECTED";
  public static final String CONFIG_SEND_CONFIG_CHANGED = "CONFIG:SEND_CONFIG_CHANGED";
  public static final String CONFIG_SEND_ROUTES_WHEN_CONNECTED = "CONFIG:SEND_ROUTES_WHEN_CONNECTED";
  public static final String CONFIG_SEND_ROUTES_CHANGED = "CONFIG:SEND_ROUTES_CHANGED";
  public static final String ERROR_CONNECTION = "ERROR_CONNECTION";
  public static final String ERROR_CONFIG = "ERROR_CONFIG";
  /** Suffix of {@code <module>_MODULE_CONNECTED}. */
  public static final String MODULE_CONNECTED_SUFFIX = "_MODULE_CONNECTED";
  /** Path of the config service's ETP endpoint. */
  public static final String ETP_PATH = "/isp-etp/";
  /** Query parameter naming the module. */
  public static final String MODULE_NAME_PARAMETER = "module_name";
  /** Success acknowledgement of the config service. */
  public static final String ACK_OK = "ok";

  private ClusterEvents() {
  }

  /** {@code <module>_MODULE_CONNECTED}: the addresses of a required module. */
  public static String moduleConnected(String module) {
    return module + MODULE_CONNECTED_SUFFIX;
  }

  /** True for the config events, whose data is secret-masked in logs. */
  public static boolean carriesConfig(String event) {
    return event.equals(CONFIG_SEND_CONFIG_WHEN_CONNECTED) || event.equals(CONFIG_SEND_CONFIG_CHANGED)
        || event.equals(MODULE_SEND_CONFIG_SCHEMA);
  }
}
