package ru.txix.isp.pywrapper.supervisor;

import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;

/** Writes every call into the shared history. */
final class RecordingAddressDelivery implements AddressDelivery {
  private final List<String> history;

  RecordingAddressDelivery(List<String> history) {
    this.history = history;
  }

  @Override
  public void childReady(long generation, BindingAddress target, Map<String, List<String>> hosts) {
    history.add("deliver all gen=" + generation + " to " + target + " " + hosts);
  }

  @Override
  public void hostsChanged(long generation, String module, List<String> hosts) {
    history.add("deliver gen=" + generation + " " + module + "=" + hosts);
  }

  @Override
  public void childGone(long generation) {
    history.add("gone gen=" + generation);
  }

  @Override
  public void close() {
    history.add("delivery closed");
  }
}
