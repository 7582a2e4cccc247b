package ru.txix.isp.pywrapper.app;

/**
 * A part of the host: started once, in the order of the application's list, and stopped in reverse.
 *
 * <p>{@link #start()} may fail — with a {@code ConfigException} for a start-up error the operator must fix,
 * or any other exception — and then the components started before are stopped. {@link #stop()} must be
 * idempotent, must not throw, and may be called on a component that never started.
 */
interface Component {
  /** The name for log lines, e.g. {@code python supervisor}. */
  String name();

  void start() throws Exception;

  void stop();
}
