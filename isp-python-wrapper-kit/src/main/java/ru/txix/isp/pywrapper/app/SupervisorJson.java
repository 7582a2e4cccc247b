package ru.txix.isp.pywrapper.app;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.config.RemoteConfigStatus;
import ru.txix.isp.pywrapper.internal.json.JsonValues;
import ru.txix.isp.pywrapper.supervisor.ProcessInfo;
import ru.txix.isp.pywrapper.supervisor.PySupervisor;
import ru.txix.isp.pywrapper.supervisor.RestartCause;
import ru.txix.isp.pywrapper.supervisor.SupervisorSnapshot;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The body of {@code /internal/supervisor}: what an operator asks first when paged. */
final class SupervisorJson {

  private SupervisorJson() {
  }

  /** A renderer bound to the live components. */
  static Supplier<String> of(PySupervisor supervisor, RemoteConfigStatus remoteConfig, boolean clusterMode,
                                    BooleanSupplier sessionActive) {
    return () -> render(supervisor, remoteConfig, clusterMode, sessionActive.getAsBoolean());
  }

  static String render(PySupervisor supervisor, RemoteConfigStatus remoteConfig, boolean clusterMode,
                       boolean sessionActive) {
    SupervisorSnapshot s = supervisor.snapshot();
    ObjectNode root = JsonValues.object();
    root.put("state", s.state().name());
    root.put("detail", s.detail());
    root.put("pid", s.pid());
    root.put("pgid", s.pgid());
    List<ProcessInfo> processes = s.pid() == null ? List.of() : supervisor.processes();
    root.put("pythonPid", processes.stream().filter(p -> p.ppid() == s.pid()).map(ProcessInfo::pid).findFirst()
        .orElse(null));
    ArrayNode tree = root.putArray("processes");
    processes.forEach(p -> tree.addObject().put("pid", p.pid()).put("ppid", p.ppid()).put("command", p.command()));
    root.put("generation", s.generation());
    root.put("startedAt", s.startedAt() == null ? null : s.startedAt().toString());
    root.put("starts", s.starts());
    if (s.backoff() == null) {
      root.putNull("backoff");
    } else {
      root.putObject("backoff").put("delayMs", s.backoff().delay().toMillis())
          .put("nextAttemptAt", s.backoff().nextAttemptAt().toString()).put("cause", s.backoff().cause().label());
    }
    root.put("quickExits", s.quickExits());
    ObjectNode restarts = root.putObject("restarts");
    for (RestartCause cause : RestartCause.values()) {
      restarts.put(cause.label(), s.restarts().getOrDefault(cause, 0L));
    }
    if (s.lastExit() == null) {
      root.putNull("lastExit");
    } else {
      ObjectNode exit = root.putObject("lastExit");
      exit.put("code", s.lastExit().status().code());
      exit.put("signal", s.lastExit().status().signal().orElse(null));
      exit.put("at", s.lastExit().at().toString());
    }
    if (s.lastError() == null) {
      root.putNull("lastError");
    } else {
      root.putObject("lastError").put("message", s.lastError().message()).put("at", s.lastError().at().toString());
    }
    ObjectNode hosts = root.putObject("hosts");
    for (Map.Entry<String, List<String>> entry : s.hosts().entrySet()) {
      entry.getValue().forEach(hosts.putArray(entry.getKey())::add);
    }
    root.put("bindingAddress", supervisor.bindingAddress().toString());
    root.put("configFile", supervisor.configFile().toString());
    RemoteConfigStatus.Snapshot config = remoteConfig.snapshot();
    root.putObject("remoteConfig")
        .put("lastValid", config.lastValid())
        .put("validInEffect", config.validInEffect())
        .put("message", config.message().isEmpty() ? null : config.message())
        .put("at", config.at().toString())
        .put("accepted", config.accepted())
        .put("rejected", config.rejected());
    root.putObject("configService").put("mode", clusterMode ? "cluster" : "offline")
        .put("sessionActive", sessionActive);
    return JsonValues.text(root) + "\n";
  }
}
