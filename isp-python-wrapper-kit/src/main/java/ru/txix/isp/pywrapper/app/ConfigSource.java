package ru.txix.isp.pywrapper.app;

import java.util.Optional;

/**
 * Where remote configs come from — the offline file ({@link OfflineConfigSource}) or the config service
 * ({@link ClusterConfigSource}) — as a component: once started, it hands every config it gets to the
 * {@code RemoteConfigIntake}, in arrival order.
 */
interface ConfigSource extends Component {

  /** True while the source is connected to the config service (always false offline). */
  boolean sessionActive();

  /** Empty while a session is active; otherwise why not, for health ({@code session inactive: …}). */
  default Optional<String> inactiveReason() {
    return sessionActive() ? Optional.empty() : Optional.of("session inactive");
  }
}
