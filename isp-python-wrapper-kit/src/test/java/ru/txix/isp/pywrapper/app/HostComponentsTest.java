package ru.txix.isp.pywrapper.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import ru.txix.isp.pywrapper.WrapperOptions;
import ru.txix.isp.pywrapper.cluster.ClusterListener;
import ru.txix.isp.pywrapper.config.LocalConfig;
import ru.txix.isp.pywrapper.config.RemoteConfigDeclaration;
import ru.txix.isp.pywrapper.supervisor.SupervisorSettings;
import ru.txix.isp.pywrapper.testing.FreePort;

/**
 * The host's components and their order in each mode — offline or cluster, the child binding its address or
 * inheriting the host's socket — as {@link Host} builds them from a real project's files (nothing is started):
 * the order in which they start, and the reverse in which they stop.
 */
class HostComponentsTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}, python.socket {1}")
  @CsvSource(delimiter = '|', value = {
      "offline | bind    | host, offline config source (conf/config.json), python supervisor, infra server",
      "offline | inherit | host, inherited socket (127.0.0.1:PORT), offline config source (conf/config.json), "
          + "python supervisor, infra server",
      "cluster | bind    | host, python supervisor, config-service session, infra server",
      "cluster | inherit | host, inherited socket (127.0.0.1:PORT), python supervisor, config-service session, "
          + "infra server"})
  void theComponentsStartInTheOrderOfTheirModeAndStopInReverse(String mode, String socket, String expected)
      throws IOException {
    int port = FreePort.find();
    Host host = new Host(spec(mode, socket, port), Setup.read(spec(mode, socket, port)), new ClusterListener() { });
    List<String> order = List.of(expected.replace("PORT", Integer.toString(port)).split(", "));

    List<String> names = host.components().stream().map(Component::name).toList();
    assertThat(names).containsExactlyElementsOf(order);

    List<String> history = new ArrayList<>();
    Lifecycle[] lifecycle = new Lifecycle[1];
    List<Component> recorded = new ArrayList<>();
    for (String name : names) {
      recorded.add(new Recording(name, history, name.equals("infra server")
          ? () -> lifecycle[0].end(Lifecycle.Ending.signal("SIGTERM")) : () -> { }));
    }
    lifecycle[0] = new Lifecycle(recorded);
    assertThat(lifecycle[0].run()).isEqualTo(Lifecycle.EXIT_OK);
    List<String> expectedHistory = new ArrayList<>();
    order.forEach(name -> expectedHistory.add("start " + name));
    for (int i = order.size() - 1; i >= 0; i--) {
      expectedHistory.add("stop " + order.get(i));
    }
    assertThat(history).containsExactlyElementsOf(expectedHistory);
  }

  @ParameterizedTest(name = "offline {0}")
  @CsvSource({"true", "false"})
  void theOrderIsTheSameWithFakes(boolean offline) {
    List<String> history = new ArrayList<>();
    Component socket = new Recording("socket", history, () -> { });
    List<Component> order = Host.inOrder(offline, new Recording("host", history, () -> { }), Optional.of(socket),
        new Recording("supervisor", history, () -> { }), new Recording("source", history, () -> { }),
        new Recording("infra", history, () -> { }));

    assertThat(order).extracting(Component::name).containsExactlyElementsOf(offline
        ? List.of("host", "socket", "source", "supervisor", "infra")
        : List.of("host", "socket", "supervisor", "source", "infra"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "nothing set | 2s | 5s | WARN",
      "the file    | 3s | 1.5s | RESTART"})
  void theSupervisorsSettingsAreItsDefaultsWithWhatWasSetOverThem(String what, String restartDelay,
                                                                 String stopTimeout, String action) {
    LocalConfig.SupervisorKeys keys = what.equals("nothing set")
        ? new LocalConfig.SupervisorKeys(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            new LocalConfig.Liveness(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()))
        : new LocalConfig.SupervisorKeys(Optional.of(Duration.ofSeconds(3)), Optional.empty(), Optional.empty(),
            Optional.of(4), Optional.empty(), Optional.of(Duration.ofMillis(1500)), Optional.empty(), Optional.empty(),
            Optional.of(true), new LocalConfig.Liveness(Optional.of("/health"), Optional.empty(), Optional.empty(),
            Optional.of(5)));

    SupervisorSettings settings = Host.supervisorSettings(keys);

    assertThat(settings.restartDelay()).isEqualTo(Duration.parse("PT" + restartDelay.toUpperCase()));
    assertThat(settings.stopTimeout()).isEqualTo(Duration.parse("PT" + stopTimeout.toUpperCase()));
    assertThat(settings.startTimeoutAction()).isEqualTo(SupervisorSettings.StartTimeoutAction.valueOf(action));
    assertThat(settings.restartDelayMax()).isEqualTo(SupervisorSettings.DEFAULTS.restartDelayMax());
    if (what.equals("the file")) {
      assertThat(settings.maxRestarts()).isEqualTo(4);
      assertThat(settings.liveness()).isEqualTo(new SupervisorSettings.Liveness("/health",
          SupervisorSettings.Liveness.OFF.period(), SupervisorSettings.Liveness.OFF.timeout(), 5));
    } else {
      assertThat(settings).isEqualTo(SupervisorSettings.DEFAULTS);
    }
  }

  private AppSpec spec(String mode, String socket, int port) throws IOException {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/config.yml"), """
        moduleName: order
        configServiceAddress: { ip: 127.0.0.1, port: 9001 }
        grpcOuterAddress: { ip: 127.0.0.1, port: %d }
        grpcInnerAddress: { ip: 127.0.0.1, port: %d }
        infraServerPort: %d
        """.formatted(port, port, FreePort.find()));
    Files.writeString(dir.resolve("conf/config.json"), "{}");
    Files.writeString(dir.resolve("conf/default_remote_config.json"), "{}");
    for (String file : new String[] {"main.py", "pyproject.toml", "uv.lock"}) {
      Files.writeString(dir.resolve(file), "");
    }
    Map<String, String> environment = new HashMap<>(Map.of("python.socket", socket));
    if (mode.equals("offline")) {
      environment.put(Modes.CLUSTER_MODE, "offline");
    }
    return new AppSpec("1.0.0", new RemoteConfigDeclaration.AnyObject(), List.of(), List.of(), environment, dir,
        WrapperOptions.DEFAULTS, List.of());
  }

  /** Records its start and stop. */
  private record Recording(String name, List<String> history, Runnable onStart) implements Component {
    @Override
    public void start() {
      history.add("start " + name);
      onStart.run();
    }

    @Override
    public void stop() {
      history.add("stop " + name);
    }
  }
}
