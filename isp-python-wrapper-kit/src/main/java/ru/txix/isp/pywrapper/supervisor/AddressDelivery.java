package ru.txix.isp.pywrapper.supervisor;

import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;

/**
 * Gets the host lists of required modules to the running child ({@code POST /receive_module_addresses}).
 *
 * <p>The supervisor tells it when a child of some generation is ready, when a list changes, and when the
 * child is gone. Implementations never block the caller, retry until the child has the newest list of each
 * module, and drop everything that belongs to a generation that is gone.
 */
interface AddressDelivery extends AutoCloseable {

  /** A child accepts connections at {@code target}: deliver every list in {@code hosts}. */
  void childReady(long generation, BindingAddress target, Map<String, List<String>> hosts);

  /** A newer list for {@code module}: supersedes any undelivered older one. */
  void hostsChanged(long generation, String module, List<String> hosts);

  /** The child of {@code generation} is gone (or going): stop delivering to it. */
  void childGone(long generation);

  @Override
  void close();
}
