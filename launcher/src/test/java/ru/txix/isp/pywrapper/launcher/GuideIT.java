package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.testing.CompanionPackage;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.RealProcessTest;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.JsonNode;

/**
 * The README's guide, "Your own service, step by step", run as written ({@link GuideStep} says how its steps are
 * marked): on a machine as the guide describes it — no Java and no uv on {@code PATH}, an empty home folder — it
 * installs uv from PyPI, unpacks the distribution, makes the project, writes its files, runs the host offline and
 * then in cluster mode, and every check it shows holds.
 *
 * <p>What the test provides, as the guide's reader would have it: {@code KIT}, a checkout in which {@code make dist}
 * has run (here: the companion package's sources and the distribution {@link Distribution#made()} made, in the
 * places a checkout has them), and, in cluster mode, isp-config-service at the guide's {@code configServiceAddress}
 * (here: the stand-in, {@link FakeConfigService}). What it sets, without changing a command: {@code HOME} (a
 * folder of the test's), the caches of uv and pip (the machine's, so that nothing is downloaded twice), and
 * {@code PIP_CONSTRAINT}, which pins the uv that {@code pip install uv} installs to the one {@code make test} runs
 * with, so that a new uv release cannot change the test's outcome unnoticed. Then it runs the {@code python} stage
 * of {@code deploy/Dockerfile} (its {@code COPY}, {@code ENV} and {@code RUN} lines; no Docker) on the guide's
 * project, leaving out {@code .venv}, {@code .pywrapper} and {@code .git} as the guide's {@code .dockerignore}
 * does, and imports the service's packages from the environment it made.
 */
@RealProcessTest
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GuideIT {
  private static final Path README = Path.of("../README.md");
  private static final Path DOCKERFILE = Path.of("../deploy/Dockerfile");
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(3);
  /** A check waits for the service: its first start makes its environment. */
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  private Path cwd;
  private Map<String, String> environment;
  private final List<Process> hosts = new ArrayList<>();
  private FakeConfigService configService;

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process host : hosts) {
      if (host.isAlive()) {
        host.destroy(); // SIGTERM: the host stops its child
        if (!host.waitFor(15, TimeUnit.SECONDS)) {
          host.destroyForcibly();
        }
      }
    }
    if (configService != null) {
      configService.close();
    }
    removeLinks(dir); // JUnit would warn of each link to outside its folder: the PATH's programs, the venvs' pythons
  }

  private static void removeLinks(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isSymbolicLink(file)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      // JUnit removes what is left
    }
  }

  @Test
  void theReadmesStepsTakeANewServiceFromAnEmptyFolderToOfflineAndThenClusterMode() throws Exception {
    List<GuideStep> steps = GuideStep.parse(Files.readString(README, StandardCharsets.UTF_8));
    assertThat(steps).as("the guide's steps").extracting(GuideStep::kind)
        .contains(GuideStep.Kind.RUN, GuideStep.Kind.FILE, GuideStep.Kind.HOST, GuideStep.Kind.CHECK,
            GuideStep.Kind.STOP);
    configService = configServiceOfTheGuide(steps);
    configService.setAddresses("isp-auth-service", "[{\"ip\":\"10.0.0.7\",\"port\":\"9011\"}]");
    cwd = Files.createDirectories(dir.resolve("home"));
    environment = machine(cwd, kit());

    Process host = null;
    String hostCommand = "";
    for (GuideStep step : steps) {
      long began = System.nanoTime();
      switch (step.kind()) {
        case RUN -> run(step);
        case FILE -> {
          Path file = cwd.resolve(step.argument());
          Files.createDirectories(file.getParent());
          Files.writeString(file, step.text());
        }
        case HOST -> {
          assertThat(host).as("%s: a host is already running", step.describe()).isNull();
          host = start(step);
          hostCommand = step.text();
        }
        case CHECK -> check(step, host);
        case STOP -> {
          assertThat(host).as("%s: no host runs", step.describe()).isNotNull();
          if (!hostCommand.contains("CLUSTER_MODE=offline")) {
            theModuleIsRegisteredAndFollowsItsConfigService(host);
          }
          stop(step, host);
          host = null;
        }
      }
      System.out.printf("GUIDE %s: %d ms%n", step.describe().lines().findFirst().orElse(""),
          (System.nanoTime() - began) / 1_000_000);
    }
    assertThat(hosts).as("hosts the guide ran (offline, then cluster mode)").hasSize(2);
    assertThat(configService.received(ClusterEvents.MODULE_READY)).as("MODULE:READY of the cluster-mode run")
        .isNotEmpty();

    theProjectSyncsAsTheDockerfileDoes(cwd);
  }

  /** The stand-in for isp-config-service, where the guide's {@code conf/config.yml} says the service is. */
  private static FakeConfigService configServiceOfTheGuide(List<GuideStep> steps) throws IOException {
    GuideStep config = steps.stream().filter(step -> step.argument().equals("conf/config.yml")).findFirst()
        .orElseThrow(() -> new AssertionError("the guide writes no conf/config.yml"));
    @SuppressWarnings("unchecked")
    Map<String, Object> yaml = (Map<String, Object>) new Load(LoadSettings.builder().build())
        .loadFromString(config.text());
    @SuppressWarnings("unchecked")
    Map<String, Object> address = (Map<String, Object>) yaml.get("configServiceAddress");
    assertThat(address).as("configServiceAddress in %s", config.describe()).isNotNull();
    assertThat(String.valueOf(address.get("ip"))).isEqualTo("127.0.0.1");
    int port = Integer.parseInt(String.valueOf(address.get("port")));
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new AssertionError("port " + port + ", the guide's configServiceAddress, is taken on this machine: "
          + "the guide's ports are fixed, so this test needs it free", e);
    }
    return new FakeConfigService(port);
  }

  /** {@code KIT}: a checkout after {@code make dist}, as far as the guide uses it. */
  private Path kit() throws Exception {
    Path kit = Files.createDirectories(dir.resolve("kit"));
    CompanionPackage.copyInto(kit);
    Path archive = Distribution.made().archive();
    Files.createDirectories(kit.resolve("dist"));
    Files.createSymbolicLink(kit.resolve("dist").resolve(archive.getFileName()), archive);
    return kit;
  }

  /** The environment of the guide's machine: no Java, no uv, an empty home; the test's caches and pin. */
  private Map<String, String> machine(Path home, Path kit) throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(name -> name.startsWith("JAVA") || name.startsWith("UV_") || name.startsWith("PIP_")
        || name.startsWith("XDG_") || name.startsWith("APP_") || name.contains(".")
        || Set.of("VIRTUAL_ENV", "CLUSTER_MODE", "ISP_PYTHON_WRAPPER_JAR", "LOG_FORMAT", "NOTIFY_SOCKET",
            "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES").contains(name));
    String uvVersion = command(List.of(Uv.binary().toString(), "--version")).split("\\s+")[1];
    Path constraint = dir.resolve("pip-constraint.txt");
    Files.writeString(constraint, "uv==" + uvVersion + "\n");
    Path programs = Distribution.programsWithout(Files.createDirectories(dir.resolve("programs")),
        name -> name.equals("uv") || name.equals("uvx") || name.equals("isp-python-wrapper"));
    env.put("HOME", home.toString());
    env.put("KIT", kit.toString());
    env.put("PATH", programs.toString());
    env.put("UV_CACHE_DIR", command(List.of(Uv.binary().toString(), "cache", "dir")).strip());
    env.put("PIP_CACHE_DIR", pipCache().toString());
    env.put("PIP_CONSTRAINT", constraint.toString());
    env.put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    return env;
  }

  private static Path pipCache() {
    String own = System.getenv("PIP_CACHE_DIR");
    if (own != null && !own.isBlank()) {
      return Path.of(own);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
        .resolve("pip");
  }

  /** A {@code run} step: once, in the session's folder and environment, which it may change. */
  private void run(GuideStep step) throws Exception {
    Shell result = shell(step);
    assertThat(result.code()).as("%s\nfailed with exit code %d:\n%s", step.describe(), result.code(),
        result.output()).isZero();
    assertThat(step.isShownBy(result.output())).as("%s\nshowed:\n%s", step.describe(), result.output()).isTrue();
    cwd = result.cwd();
    environment = result.environment();
  }

  /** A {@code check} step: again and again until it succeeds and shows what it says, while the host runs. */
  private void check(GuideStep step, Process host) throws Exception {
    assertThat(host).as("%s: no host runs", step.describe()).isNotNull();
    long deadline = System.nanoTime() + CHECK_TIMEOUT.toNanos();
    Shell result;
    do {
      if (!host.isAlive()) {
        throw new AssertionError(step.describe() + "\nthe host exited with exit code " + host.exitValue()
            + ":\n" + hostOutput());
      }
      result = shell(step);
      if (result.code() == 0 && step.isShownBy(result.output())) {
        return;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(step.describe() + "\nlast showed (exit code " + result.code() + "):\n"
        + result.output() + "\nthe host's output:\n" + hostOutput());
  }

  /** A {@code host} step: the command, as a terminal runs it, in the background. */
  private Process start(GuideStep step) throws IOException {
    String command = step.text().strip();
    assertThat(command.lines()).as("%s: one command", step.describe()).hasSize(1);
    Path output = dir.resolve("host-" + (hosts.size() + 1) + ".out");
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(cwd.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process host = builder.start();
    hosts.add(host);
    return host;
  }

  /** A {@code stop} step: Ctrl-C, i.e. SIGINT to the host (bash ran it with exec; the start script execs java). */
  private void stop(GuideStep step, Process host) throws Exception {
    assertThat(host.info().command().orElse("")).as("the host's process").endsWith("java");
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(host.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
    assertThat(host.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("%s: the host exited within %s:\n%s",
        step.describe(), STOP_TIMEOUT, hostOutput()).isTrue();
    assertThat(host.exitValue()).as("%s: the host's exit code:\n%s", step.describe(), hostOutput()).isZero();
    assertThat(hostOutput()).contains("\"message\":\"shutdown completed\"");
  }

  /**
   * What the guide says of cluster mode beyond its checks: the module registered with its version, endpoints and
   * schema; a config changed in the config service reaches the service, an invalid one changes nothing.
   */
  private void theModuleIsRegisteredAndFollowsItsConfigService(Process host) throws Exception {
    JsonNode ready = configService.await(ClusterEvents.MODULE_READY, Duration.ofSeconds(10)).json();
    assertThat(ready.get("version").asString()).isEqualTo("1.0.0");
    assertThat(ready.get("libVersion").asString()).isEqualTo("v1.0.0");
    assertThat(ready.get("endpoints").toString()).contains("/api/my-service/hello");
    JsonNode schema = configService.await(ClusterEvents.MODULE_SEND_CONFIG_SCHEMA, Duration.ofSeconds(10)).json();
    assertThat(schema.get("schema").toString()).contains("\"Greeting\"");
    assertThat(schema.get("config").get("greeting").asString()).isEqualTo("Hello");

    configService.pushConfig("my-service", "{\"greeting\":\"Hi\",\"logLevel\":\"info\"}");
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> hello().equals("{\"greeting\":\"Hi\",\"auth\":[\"10.0.0.7:9011\"]}"));
    configService.pushConfig("my-service", "{\"greeting\":\"\",\"logLevel\":\"info\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> hostOutput().contains("remote config rejected"));
    assertThat(hello()).contains("\"Hi\"");
    assertThat(host.isAlive()).isTrue();
  }

  private static String hello() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9020/api/my-service/hello"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * The {@code python} stage of {@code deploy/Dockerfile} on the guide's project, in a folder standing in for
   * the image's {@code /app}: each {@code COPY} from the build context, {@code ENV} and {@code RUN} in order
   * ({@code COPY --from} is the stage's uv: the guide's is on PATH).
   */
  private void theProjectSyncsAsTheDockerfileDoes(Path project) throws Exception {
    List<String> instructions = DeployKitIT.instructions(Files.readString(DOCKERFILE));
    int stage = instructions.indexOf(instructions.stream().filter(line -> line.matches("FROM \\S+ AS python"))
        .findFirst().orElseThrow(() -> new AssertionError("no stage `python` in " + DOCKERFILE)));
    Path app = Files.createDirectories(dir.resolve("docker-app"));
    Map<String, String> env = new HashMap<>(environment);
    List<String> ran = new ArrayList<>();
    for (String line : instructions.subList(stage + 1, instructions.size())) {
      if (line.startsWith("FROM ")) {
        break;
      }
      String[] words = line.split("\\s+");
      switch (words[0]) {
        case "COPY" -> {
          if (!words[1].startsWith("--from")) {
            for (int i = 1; i < words.length - 1; i++) {
              copyFromContext(project, words[i], app);
            }
          }
        }
        case "ENV" -> {
          for (int i = 1; i < words.length; i++) {
            String[] pair = words[i].split("=", 2);
            env.put(pair[0], pair[1]);
          }
        }
        case "RUN" -> {
          String command = line.substring(4).strip();
          Shell result = shell(command, app, env, false);
          assertThat(result.code()).as("Dockerfile `%s` on the guide's project:\n%s", line, result.output())
              .isZero();
          ran.add(command);
        }
        default -> {
          // WORKDIR /app: the folder above; ARG: none in this stage
        }
      }
    }
    assertThat(ran).as("the stage's RUN lines").anyMatch(command -> command.contains("uv sync --locked"));
    Shell imports = shell(".venv/bin/python -c 'import isp_wrapper, fastapi, uvicorn'", app, env, false);
    assertThat(imports.code()).as("the environment the Dockerfile's stage made:\n%s", imports.output()).isZero();
  }

  /** {@code COPY source ./} from the build context: {@code .} is the project without what .dockerignore drops. */
  private static void copyFromContext(Path project, String source, Path app) throws IOException {
    if (!source.equals(".")) {
      Files.copy(project.resolve(source), app.resolve(source), StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (Stream<Path> files = Files.walk(project)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path relative = project.relativize(file);
        String top = relative.getNameCount() == 0 ? "" : relative.getName(0).toString();
        if (relative.toString().isEmpty() || Set.of(".venv", ".pywrapper", ".git").contains(top)) {
          continue;
        }
        Path copy = app.resolve(relative.toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private String hostOutput() {
    StringBuilder all = new StringBuilder();
    for (int i = 1; i <= hosts.size(); i++) {
      try {
        all.append(Files.readString(dir.resolve("host-" + i + ".out")));
      } catch (IOException e) {
        all.append("(no output: ").append(e.getMessage()).append(")\n");
      }
    }
    return all.toString();
  }

  private Shell shell(GuideStep step) throws Exception {
    return shell(step.text(), cwd, environment, true);
  }

  /**
   * Runs {@code commands} with bash in {@code folder} with exactly {@code env}, as {@code set -euo pipefail}; with
   * {@code keep}, the folder and the exported variables it ends with are the result's.
   */
  private Shell shell(String commands, Path folder, Map<String, String> env, boolean keep) throws Exception {
    Path state = Files.createTempDirectory(dir, "step");
    Path script = state.resolve("step.sh");
    String tail = keep ? "pwd > '" + state.resolve("cwd") + "'\nenv -0 > '" + state.resolve("env") + "'\n" : "";
    Files.writeString(script, "set -euo pipefail\n" + commands + "\n" + tail);
    Path output = state.resolve("output");
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).directory(folder.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish within " + STEP_TIMEOUT + ":\n" + commands + "\n"
          + Files.readString(output));
    }
    String shown = Files.readString(output);
    if (!keep || process.exitValue() != 0) {
      return new Shell(process.exitValue(), shown, folder, env);
    }
    Map<String, String> after = new HashMap<>();
    for (String entry : Files.readString(state.resolve("env")).split("\0")) {
      int equals = entry.indexOf('=');
      if (equals > 0) {
        after.put(entry.substring(0, equals), entry.substring(equals + 1));
      }
    }
    after.remove("_");
    after.remove("SHLVL");
    return new Shell(0, shown, Path.of(Files.readString(state.resolve("cwd")).strip()), after);
  }

  private record Shell(int code, String output, Path cwd, Map<String, String> environment) {
  }

  private static String command(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", command, output).isZero();
    return output;
  }
}
