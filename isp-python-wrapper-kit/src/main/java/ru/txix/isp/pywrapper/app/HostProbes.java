package ru.txix.isp.pywrapper.app;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import ru.txix.isp.pywrapper.supervisor.SupervisorState;

/**
 * The host's liveness and readiness, for orchestrators: Kubernetes' probes ({@code /internal/health/liveness},
 * {@code /internal/health/readiness}) and systemd's watchdog. Each is empty while it passes, else says why not.
 *
 * <ul>
 *   <li><b>Liveness</b> fails only when the host itself cannot do its job any more, so that restarting it is the
 *       cure: it is ending after a fatal failure (the supervisor gave up after {@code python.maxRestarts} quick
 *       exits in a row), or its supervisor stopped although no shutdown was asked for. A rejected config, a child
 *       in back-off or starting, an unreachable config service are the host doing its job — they show in
 *       {@code /internal/health} — and never fail liveness: a restart would cure none of them.
 *   <li><b>Readiness</b> fails while the child does not serve: before the first config, while it starts or is
 *       replaced, during a back-off, and from the moment a shutdown begins. It passes while the child is
 *       RUNNING (or OVERLAPPING, where the old child still serves) and accepts a TCP connection on its binding
 *       address right now.
 * </ul>
 *
 * <p>Thread-safe; each check is fast (a snapshot read and at most one local connect).
 */
final class HostProbes {
  private final Supplier<SupervisorSnapshot> supervisor;
  private final InetSocketAddress binding;
  private final Predicate<InetSocketAddress> accepts;
  private volatile Lifecycle.Ending ending;

  /**
   * @param accepts whether the child's binding address accepts a connection now (a TCP connect, in production)
   */
  HostProbes(Supplier<SupervisorSnapshot> supervisor, InetSocketAddress binding,
             Predicate<InetSocketAddress> accepts) {
    this.supervisor = requireNonNull(supervisor, "supervisor");
    this.binding = requireNonNull(binding, "binding");
    this.accepts = requireNonNull(accepts, "accepts");
  }

  /** The run is ending ({@code why}): readiness fails from now on; liveness too when the ending is fatal. */
  void ending(Lifecycle.Ending why) {
    if (ending == null) {
      ending = requireNonNull(why, "why");
    }
  }

  /** True once {@link #ending} was called. */
  boolean stopping() {
    return ending != null;
  }

  Optional<String> liveness() {
    Lifecycle.Ending why = ending;
    if (why != null && why.exitCode() != Lifecycle.EXIT_OK) {
      return Optional.of("ending: " + why.reason());
    }
    SupervisorSnapshot snapshot = supervisor.get();
    if (why == null && snapshot.state() == SupervisorState.STOPPED) {
      return Optional.of("the python supervisor stopped: " + snapshot.detail());
    }
    return Optional.empty();
  }

  Optional<String> readiness() {
    if (ending != null) {
      return Optional.of("stopping");
    }
    SupervisorSnapshot snapshot = supervisor.get();
    SupervisorState state = snapshot.state();
    if (state != SupervisorState.RUNNING && state != SupervisorState.OVERLAPPING) {
      return Optional.of(state.name().toLowerCase(java.util.Locale.ROOT) + ": " + snapshot.detail());
    }
    if (!accepts.test(binding)) {
      return Optional.of("running (pid " + snapshot.pid() + ") but not accepting connections on "
          + binding.getHostString() + ":" + binding.getPort());
    }
    return Optional.empty();
  }
}
