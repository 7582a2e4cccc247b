package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import ru.txix.isp.pywrapper.chaos.ServiceLog.Child;
import ru.txix.isp.pywrapper.chaos.ServiceLog.Proc;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import ru.txix.isp.pywrapper.testing.FreePort;
import ru.txix.isp.pywrapper.testing.PythonProject;
import ru.txix.isp.pywrapper.testing.Uv;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * One segment of a chaos run: a host in one {@link Profile}, the chaos service, a steady workload, and for
 * {@code chaos} a seeded random schedule of faults (one every 0.3–2.5 s), then the settling: every fault undone,
 * and within {@link #SETTLE_BOUND} the child must run the newest valid config with the newest host lists, and
 * health and {@code /internal/supervisor} must agree with the processes that exist. Then the host is stopped
 * and nothing of its children may be left. {@link Checker} watches the invariants all along.
 *
 * <p>Only the fault thread (the caller of {@link #run()}) draws from {@code random}, in schedule order, so one
 * seed gives one sequence of faults and parameters (their timing follows the machine).
 */
final class Segment {
  static final String MODULE = "chaos-module";
  static final List<String> REQUIRED = List.of("auth", "billing");
  /** The bound for the settling, see {@link Profile#pythonSettings()}: a back-off of at most 8 s, a 5 s stop
   * timeout, a 5 s start timeout, a reconnect (1 s), a start (~0.3–2 s on a loaded machine), with margin. */
  static final Duration SETTLE_BOUND = Duration.ofSeconds(45);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final String SECRET = "S3CR3T";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SCHEMA = "{\"type\":\"object\",\"title\":\"Chaos config\",\"required\":[\"v\"],"
      + "\"properties\":{\"v\":{\"type\":\"integer\"}}}";

  /**
   * Faults left out because they hit a known defect whose fix is pending, with the test that reproduces it;
   * {@code -Dchaos.includeKnownDefects=true} puts them back (to check a fix). Keyed by profile, then fault.
   */
  static final Map<String, Map<String, String>> KNOWN_DEFECTS = Map.of();

  /** A fault's second half, due later (SIGCONT, the service back, the port released…). */
  private record Pending(long dueNanos, String what, Runnable action) {
  }

  /** A time when no child could serve: from a kill or a host stop to the next ready child. */
  static final class Outage {
    final Instant from;
    final String cause;
    /** Ends only with a ready child whose config lets it serve (not one that crashes, exits or never binds). */
    final boolean needsHealthy;
    volatile Instant to;

    Outage(Instant from, String cause) {
      this(from, cause, false);
    }

    Outage(Instant from, String cause, boolean needsHealthy) {
      this.from = from;
      this.cause = cause;
      this.needsHealthy = needsHealthy;
    }
  }

  final Profile profile;
  final Journal journal;
  final Path dir;
  final PythonProject project;
  final int port;
  final ServiceLog log;
  final List<Host> hosts = new CopyOnWriteArrayList<>();
  final List<Instant> childKills = new CopyOnWriteArrayList<>();
  final List<Outage> outages = new CopyOnWriteArrayList<>();
  final Map<String, Integer> counts = new TreeMap<>();
  volatile Host host;
  volatile Optional<Duration> settledIn = Optional.empty();

  private final Random random;
  private final Path script;
  private final Duration chaos;
  private final int rate;
  private final Path configPath;
  private final Tmpfs tmpfs;
  private final List<Pending> pending = new ArrayList<>();
  /** When the config file's filesystem was full: [filled, freed or null]. */
  private final List<Instant[]> diskFull = new ArrayList<>();
  private final Map<String, String> lastHosts = new LinkedHashMap<>();
  private final Map<String, String> environment = new HashMap<>();
  private FakeConfigService service;
  private boolean serviceDown;
  private final ConfigFeed configs;
  private Workload workload;

  Segment(Profile profile, Path repository, Path dir, long seed, Duration chaos, int rate, Journal journal) {
    this.profile = profile;
    this.random = new Random(seed);
    this.journal = journal;
    this.dir = dir;
    this.chaos = chaos;
    this.rate = rate;
    this.script = repository.resolve("bin/isp-python-wrapper");
    this.port = FreePort.find();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.tmpfs = Tmpfs.mount(dir.resolve("config-fs"), journal);
    this.configPath = (tmpfs != null ? tmpfs.root() : dir.resolve("config-fs")).resolve("config.json");
    this.project = PythonProject.in(dir.resolve("project"));
    this.log = new ServiceLog(dir.resolve("service.log"));
    if (profile.cluster()) {
      service = FakeConfigService.start();
    }
    configs = new ConfigFeed(random, journal, profile, project.root().resolve("conf"), () -> service,
        () -> serviceDown, outages, this::later);
    project.withConf(MODULE, port, profile.cluster() ? service.address() : "127.0.0.1:9001",
        configs.lastValid().toString());
    try (InputStream main = Segment.class.getResourceAsStream("/chaos-service/main.py")) {
      Files.copy(main, project.root().resolve("main.py"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.writeString(project.root().resolve("conf/config.yml"), profile.pythonSettings(), StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    project.write("conf/default_remote_config.json", configs.lastValid().toString());
    project.write("conf/remote_config_schema.json", SCHEMA);
    if (profile.cluster()) {
      project.write("conf/module.yml", "requiredModules: [" + String.join(", ", REQUIRED) + "]\n");
      for (String module : REQUIRED) {
        String hosts = hostList(module);
        service.setAddresses(module, hosts);
        lastHosts.put(module, hosts);
      }
    }
    environment.putAll(project.environment());
    environment.remove("FIXTURE_LOG");
    environment.put("CHAOS_LOG", dir.resolve("service.log").toString());
    environment.put("APP_PYTHON_CONFIG_PATH", configPath.toString());
    environment.put("LOG_FORMAT", "json");
    if (!profile.cluster()) {
      environment.put("CLUSTER_MODE", "offline");
    }
    syncProject();
  }

  /** The project's environment made once, so that {@code uv run} prints nothing (the host's output stays JSON). */
  private void syncProject() {
    try {
      Process sync = new ProcessBuilder(Uv.binary().toString(), "sync", "--locked", "--quiet")
          .directory(project.root().toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("uv-sync.log").toFile()).start();
      if (sync.waitFor() != 0) {
        throw new IllegalStateException("uv sync failed: " + Files.readString(dir.resolve("uv-sync.log")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs the segment: start, chaos, settling, stop. Violations go to the journal. */
  Checker.Totals run() throws InterruptedException {
    journal.segment(profile.toString(), this::hostLogsAround);
    journal.note("segment " + profile + ": project " + project.root() + ", port " + port + ", infra port "
        + project.infraPort() + ", CONFIG_FILE " + configPath + (tmpfs != null ? " (on a 64 KiB tmpfs)" : "")
        + (profile.cluster() ? ", config service " + service.address() : ", offline"));
    knownDefects().forEach((fault, why) -> journal.note("fault " + fault + " left out in " + profile + ": " + why
        + "; -Dchaos.includeKnownDefects=true puts it back"));
    Checker checker = new Checker(this);
    try {
      startHost();
      awaitFirstChild();
      workload = new Workload(port, rate, REQUEST_TIMEOUT);
      checker.start();
      long end = System.nanoTime() + chaos.toNanos();
      while (System.nanoTime() < end) {
        runDue(false);
        hostAlive();
        fault();
        Thread.sleep(300 + random.nextInt(2200));
      }
      journal.note("faults stop; undoing what is pending");
      runDue(true);
      settle(checker);
      stopHost("end of segment");
    } finally {
      if (workload != null) {
        workload.close();
        checker.requests(workload.drain());
      }
      checker.stop();
      checker.finish();
      Host last = host;
      if (last != null) {
        last.close();
      }
      // Last resort, after the checks: what a defect left running (an orphan no host knew) does not outlive the run.
      log.poll();
      log.children().forEach(child -> child.processes().stream().filter(Proc::alive)
          .forEach(p -> Signals.send("KILL", p.pid())));
      if (service != null) {
        service.close();
      }
      if (tmpfs != null) {
        tmpfs.close();
      }
    }
    return checker.totals();
  }

  // ---------------------------------------------------------------------------------------------- the faults

  private void fault() throws InterruptedException {
    boolean cluster = profile.cluster();
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("config.valid", 10);
    weights.put("config.invalid", 4);
    weights.put("config.identical", 3);
    weights.put("config.burst", 2);
    weights.put("config.crashing", 2);
    weights.put("config.neverBinds", 1);
    weights.put("config.exitsLater", 1);
    if (profile.overlap()) {
      weights.put("config.neverReady", 1);
    }
    if (cluster) {
      weights.put("hosts.push", 6);
      weights.put("service.drop", 2);
      weights.put("service.stall", 1);
      weights.put("service.restart", 1);
    } else {
      weights.put("config.tornWrite", 2);
    }
    weights.put("child.kill", 4);
    weights.put("child.stop", 2);
    weights.put("grandchild.kill", 2);
    weights.put("grandchild.stop", 1);
    weights.put("port.grab", 2);
    if (tmpfs != null) {
      weights.put("disk.full", 1);
    }
    weights.put("host.term", 1);
    weights.put("host.kill", 1);
    knownDefects().keySet().forEach(weights::remove);
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    int pick = random.nextInt(total);
    String chosen = null;
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      pick -= entry.getValue();
      if (pick < 0) {
        chosen = entry.getKey();
        break;
      }
    }
    counts.merge(chosen, 1, Integer::sum);
    Host current = host;
    if (current == null && !chosen.startsWith("config") && !chosen.startsWith("hosts")
        && !chosen.startsWith("service")) {
      journal.note(chosen + ": skipped, no host runs");
      return;
    }
    switch (chosen) {
      case "config.valid" -> configs.pushValid(configs.next(), "valid");
      case "config.invalid" -> configs.pushInvalid();
      case "config.identical" -> configs.pushIdentical();
      case "config.burst" -> configs.burst();
      case "config.crashing" -> configs.pushValid(configs.next().put("exitCode", 1), "crashes at start (exitCode 1)");
      case "config.neverBinds" -> configs.pushValid(configs.next().put("bindDelay", 3600), "never binds");
      case "config.exitsLater" -> {
        int after = 1 + random.nextInt(5);
        configs.pushValid(configs.next().put("exitAfter", after), "exits " + after + " s after listening");
      }
      case "config.neverReady" -> configs.pushValid(configs.next().put("neverReady", true), "never sends READY=1");
      case "config.tornWrite" -> configs.tornWrite();
      case "hosts.push" -> pushHosts();
      case "service.drop" -> serviceDrop();
      case "service.stall" -> serviceStall();
      case "service.restart" -> serviceRestart();
      case "child.kill" -> childSignal("KILL");
      case "child.stop" -> childSignal("STOP");
      case "grandchild.kill" -> grandchildSignal("KILL");
      case "grandchild.stop" -> grandchildSignal("STOP");
      case "port.grab" -> grabPort();
      case "disk.full" -> diskFull();
      case "host.term" -> hostDown("TERM");
      case "host.kill" -> hostDown(unrecordedChild() ? "TERM" : "KILL");
      default -> throw new IllegalStateException(chosen);
    }
  }

  private Map<String, String> knownDefects() {
    if (Boolean.getBoolean("chaos.includeKnownDefects")) {
      return Map.of();
    }
    return KNOWN_DEFECTS.getOrDefault(profile.overlap() ? "notify" : "bind", Map.of());
  }

  private String hostList(String module) {
    ArrayNode list = JSON.createArrayNode();
    int size = random.nextInt(4);
    for (int i = 0; i < size; i++) {
      list.addObject().put("ip", "10." + (module.equals("auth") ? 1 : 2) + "." + random.nextInt(256) + "."
          + (1 + random.nextInt(254))).put("port", Integer.toString(9000 + random.nextInt(100)));
    }
    return list.toString();
  }

  private void pushHosts() throws InterruptedException {
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      String module = REQUIRED.get(random.nextInt(REQUIRED.size()));
      String list = hostList(module);
      lastHosts.put(module, list);
      journal.note("host list of " + module + " pushed: " + list);
      service.pushAddresses(module, list);
      Thread.sleep(random.nextInt(50));
    }
  }

  private void serviceDrop() {
    if (serviceDown) {
      journal.note("config service drop: skipped, it is down");
      return;
    }
    journal.note("config service drops every connection (no close frame)");
    service.dropAll();
  }

  private void serviceStall() {
    if (serviceDown) {
      journal.note("config service stall: skipped, it is down");
      return;
    }
    long ms = 2000 + random.nextInt(6000);
    journal.note("config service stalls (answers no ping) for " + ms + " ms");
    FakeConfigService stalled = service;
    stalled.answerPings(false);
    later(ms, "config service answers pings again", () -> stalled.answerPings(true));
  }

  private void serviceRestart() {
    if (serviceDown) {
      journal.note("config service restart: skipped, it is down");
      return;
    }
    long ms = 500 + random.nextInt(7500);
    journal.note("config service killed, back in " + ms + " ms");
    FakeConfigService dead = service;
    dead.kill();
    serviceDown = true;
    later(ms, "config service back (same port, same configs and host lists)", () -> {
      service = dead.restart();
      serviceDown = false;
    });
  }

  private void childSignal(String signal) {
    Optional<Child> child = log.current(host.pid());
    if (child.isEmpty()) {
      journal.note("child " + signal + ": skipped, no child of " + host + " alive");
      return;
    }
    boolean python = random.nextBoolean();
    Proc target = python ? child.get().python : child.get().uv;
    if (signal.equals("KILL")) {
      Instant at = Instant.now();
      childKills.add(at);
      outages.add(new Outage(at, "child killed"));
    }
    boolean sent = Signals.send(signal, target.pid());
    journal.note("kill -" + signal + " " + target + " of " + child.get() + (sent ? "" : " (was gone)"));
    if (signal.equals("STOP") && sent) {
      outages.add(new Outage(Instant.now(), "child stopped"));
      long ms = 500 + random.nextInt(5500);
      later(ms, "kill -CONT " + target, () -> Signals.send("CONT", target.pid()));
    }
  }

  private void grandchildSignal(String signal) {
    Optional<Child> child = log.current(host.pid());
    List<Proc> grandchildren = child.map(Child::grandchildren).orElse(List.of()).stream()
        .filter(Proc::alive).toList();
    if (grandchildren.isEmpty()) {
      journal.note("grandchild " + signal + ": skipped, the current child has none alive");
      return;
    }
    Proc target = grandchildren.get(random.nextInt(grandchildren.size()));
    boolean sent = Signals.send(signal, target.pid());
    journal.note("kill -" + signal + " grandchild " + target + " of " + child.get() + (sent ? "" : " (was gone)"));
    if (signal.equals("STOP") && sent) {
      long ms = 500 + random.nextInt(5500);
      later(ms, "kill -CONT grandchild " + target, () -> Signals.send("CONT", target.pid()));
    }
  }

  /**
   * bind: the child killed, and the port taken by another process before the host starts the next one; held a
   * while, then released. inherit: the host holds the port, so taking it must fail.
   */
  private void grabPort() throws InterruptedException {
    long hold = 1000 + random.nextInt(4000);
    if (profile.overlap()) {
      boolean hostReady = log.current(host.pid()).map(Child::isListening).orElse(false);
      Optional<ServerSocket> socket = bind();
      if (socket.isPresent()) {
        close(socket.get());
        if (hostReady && host.alive()) {
          journal.violation(Instant.now(), "inherited socket held by the host",
              "port " + port + " could be bound by another process while " + host + " runs with python.socket: "
                  + "inherit");
        }
        journal.note("port " + port + " grabbed (no host holds it)");
      } else {
        journal.note("port " + port + " grab refused: the host holds it (inherit)");
      }
      return;
    }
    childSignal("KILL");
    long deadline = System.nanoTime() + 1_500_000_000L;
    Optional<ServerSocket> socket = Optional.empty();
    while (socket.isEmpty() && System.nanoTime() < deadline) {
      socket = bind();
      if (socket.isEmpty()) {
        Thread.sleep(5);
      }
    }
    if (socket.isEmpty()) {
      journal.note("port " + port + " grab: still in use 1.5 s after the kill");
      return;
    }
    ServerSocket held = socket.get();
    outages.add(new Outage(Instant.now(), "port grabbed"));
    journal.note("port " + port + " grabbed by the runner for " + hold + " ms");
    later(hold, "port " + port + " released", () -> close(held));
  }

  private Optional<ServerSocket> bind() {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      try {
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
        return Optional.of(socket);
      } catch (IOException e) {
        socket.close();
        return Optional.empty();
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void close(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closed
    }
  }

  /** The config file's filesystem filled, a new config pushed (the host cannot write it), space freed later. */
  private void diskFull() {
    long hold = 1000 + random.nextInt(5000);
    Instant[] window = {Instant.now(), null};
    diskFull.add(window);
    long filled = tmpfs.fill();
    journal.note("config file's filesystem filled (" + filled + " bytes of filler), a config pushed, space freed in "
        + hold + " ms");
    configs.pushValid(configs.next(), "valid, onto a full disk");
    later(hold, "config file's filesystem freed", () -> {
      tmpfs.free();
      window[1] = Instant.now();
    });
  }

  /** The current child started while the disk was full (±1 s) and a known defect is to be left out. */
  private boolean unrecordedChild() {
    String defect = knownDefects().get("host.kill after a disk-full start");
    if (defect == null) {
      return false;
    }
    Optional<Child> child = log.current(host.pid());
    boolean unrecorded = child.isPresent() && diskFull.stream().anyMatch(w -> !child.get().started.isBefore(
        w[0].minusSeconds(1)) && (w[1] == null || !child.get().started.isAfter(w[1].plusSeconds(1))));
    if (unrecorded) {
      journal.note("host.kill: " + child.get() + " started while the disk was full; " + defect);
    }
    return unrecorded;
  }

  private void hostDown(String signal) throws InterruptedException {
    Host down = host;
    long restartIn = random.nextInt(3000);
    journal.note("kill -" + signal + " " + down + ", a new host in " + restartIn + " ms after its exit");
    if (signal.equals("TERM")) {
      stopHost("SIGTERM fault");
    } else {
      outages.add(new Outage(Instant.now(), "host killed"));
      down.signal("KILL");
      down.awaitExit(Duration.ofSeconds(10));
      host = null;
    }
    later(restartIn, "host restarted", this::startHost);
  }

  /** A host runs until the runner stops it: one that exited by itself is a violation (and is started again). */
  private void hostAlive() {
    Host current = host;
    if (current != null && !current.alive()) {
      host = null;
      int code = current.awaitExit(Duration.ZERO);
      journal.violation(Instant.now(), "the host runs until it is stopped", current + " exited by itself with " + code
          + "; its last lines: " + String.join(" | ", tail(current.log, 3)));
      outages.add(new Outage(Instant.now(), "host exited by itself"));
      later(1000, "host restarted after its own exit", this::startHost);
    }
  }

  private static List<String> tail(Path file, int count) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - count), all.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  void later(long ms, String what, Runnable action) {
    pending.add(new Pending(System.nanoTime() + ms * 1_000_000L, what, action));
  }

  /** Runs the pending second halves that are due (all of them with {@code all}), oldest first. */
  private void runDue(boolean all) {
    pending.sort((a, b) -> Long.compare(a.dueNanos(), b.dueNanos()));
    List<Pending> due = new ArrayList<>();
    long now = System.nanoTime();
    pending.removeIf(p -> (all || p.dueNanos() <= now) && due.add(p));
    for (Pending p : due) {
      journal.note(p.what());
      p.action().run();
    }
  }

  // --------------------------------------------------------------------------------------------- the host

  void startHost() {
    Host next = Host.start(hosts.size() + 1, script, project.root(), environment,
        dir.resolve("host-" + (hosts.size() + 1) + ".log"));
    hosts.add(next);
    host = next;
    journal.note("started " + next + " through bin/isp-python-wrapper");
  }

  private void awaitFirstChild() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      log.poll();
      Optional<Child> child = log.current(host.pid());
      if (child.isPresent() && (profile.overlap() ? child.get().notified != null : child.get().isListening())) {
        journal.note("first " + child.get() + " ready");
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the first child of " + host + " was not ready within 90 s; host log: "
        + host.log);
  }

  /** SIGTERM to the host: it must exit 0 within the stop timeout and a margin, and leave none of its children. */
  void stopHost(String why) {
    Host stopping = host;
    if (stopping == null) {
      return;
    }
    host = null;
    Instant at = Instant.now();
    outages.add(new Outage(at, "host stopped"));
    stopping.signal("TERM");
    int code = stopping.awaitExit(Duration.ofSeconds(20));
    long ms = Duration.between(at, Instant.now()).toMillis();
    journal.note(stopping + " exited with " + code + " " + ms + " ms after SIGTERM (" + why + ")");
    if (code == -1) {
      journal.violation(Instant.now(), "host stops on SIGTERM", stopping + " still runs 20 s after SIGTERM");
      stopping.signal("KILL");
      stopping.awaitExit(Duration.ofSeconds(10));
    } else if (code == 143 && tail(stopping.log, 1).isEmpty()) {
      // The signal came before the JVM was up (the start script, or a JVM without its handlers yet): killed by
      // SIGTERM's default action, 128 + 15. Nothing was started; what matters is that nothing is left.
      journal.note(stopping + " was signalled before it logged anything: killed by SIGTERM (143)");
    } else if (code != 0) {
      journal.violation(Instant.now(), "host stops on SIGTERM", stopping + " exited with " + code + ", not 0");
    }
    try {
      Thread.sleep(1000); // the sweep of descendants that left the group runs before the exit; /proc settles
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.poll();
    List<String> left = new ArrayList<>();
    for (Child child : log.childrenOf(stopping.pid())) {
      child.processes().stream().filter(Proc::alive).forEach(p -> left.add(p + " of " + child));
    }
    if (!left.isEmpty()) {
      journal.violation(Instant.now(), "nothing left after a host stop", stopping + " exited; still alive: " + left);
      left.forEach(l -> Signals.send("KILL", Long.parseLong(l.split(" ")[1])));
    }
  }

  // --------------------------------------------------------------------------------------------- settling

  private void settle(Checker checker) throws InterruptedException {
    if (host == null) {
      startHost();
    }
    if (!ConfigFeed.healthy(configs.lastValid())) {
      configs.pushValid(configs.next(), "valid and healthy, to settle");
    }
    journal.note("settling: expecting config v" + configs.lastValid().get("v").asInt()
        + (profile.cluster() ? " and host lists " + lastHosts : "") + " within " + SETTLE_BOUND.toSeconds() + " s");
    Settling settling = new Settling(this);
    Instant from = Instant.now();
    String why = "";
    while (Duration.between(from, Instant.now()).compareTo(SETTLE_BOUND) < 0) {
      checker.poll();
      why = settling.unsettled(configs.lastValid(), lastHosts, configs.invalidSinceValid());
      if (why.isEmpty()) {
        settledIn = Optional.of(Duration.between(from, Instant.now()));
        journal.note("settled in " + settledIn.get().toMillis() + " ms");
        return;
      }
      Thread.sleep(250);
    }
    journal.violation(Instant.now(), "settled within " + SETTLE_BOUND.toSeconds() + " s after the faults stop", why);
  }

  // ----------------------------------------------------------------------------------------------- helpers

  Workload workload() {
    return workload;
  }

  /** The host log lines (of every host of this segment) stamped within {@code seconds} of {@code at}. */
  List<String> hostLogsAround(Instant at, int seconds, int limit) {
    List<String> lines = new ArrayList<>();
    for (Host h : hosts) {
      try {
        for (String line : Files.readAllLines(h.log, StandardCharsets.UTF_8)) {
          Instant time = Checker.time(line);
          if (time != null && Math.abs(Duration.between(at, time).toMillis()) <= seconds * 1000L) {
            lines.add(h.index + "| " + line);
          }
        }
      } catch (IOException e) {
        // not written yet
      }
    }
    return lines.size() <= limit ? lines : lines.subList(lines.size() - limit, lines.size());
  }

  void each(Consumer<Host> action) {
    hosts.forEach(action);
  }
}
