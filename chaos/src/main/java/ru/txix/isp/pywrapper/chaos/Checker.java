package ru.txix.isp.pywrapper.chaos;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ru.txix.isp.pywrapper.chaos.ServiceLog.Child;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The invariants checked while a segment runs (every 250 ms on a thread of its own) and at its end:
 *
 * <ul>
 *   <li><b>one child serving</b>: at most one Python process that listens is alive (two during an overlap, with
 *       {@code python.readiness: notify}); and when a child starts, no process of a child of an earlier host is
 *       alive, nor (outside an overlap) one of an earlier child of the same host still in its group — the
 *       service lists, at its start, every live process carrying another {@code PYWRAPPER_CHILD_ID};
 *   <li><b>the log</b>: every line the host writes is one JSON object with {@code time}, {@code level} and
 *       {@code message}, and no line holds a secret of the configs pushed;
 *   <li><b>resources</b>: threads, file descriptors and RSS of the host under absolute caps at every sample (every
 *       10 s), and, for a host that lived 4 minutes or more, their growth from its 2nd minute to its end under
 *       {@link #THREADS_GROWTH}, {@link #FDS_GROWTH}, {@link #RSS_GROWTH_KIB};
 *   <li><b>requests</b> (with {@code notify}): none fails unless it was in flight on a child that was killed, or
 *       was sent while no child could serve (a host stopped or killed, a child killed or stopped, until the next
 *       child is ready); those are counted apart. In {@code bind} mode failures are counted, not judged.
 * </ul>
 */
final class Checker {
  static final int THREADS_CAP = 48;
  static final int FDS_CAP = 64;
  static final long RSS_CAP_KIB = 160 * 1024;
  static final int THREADS_GROWTH = 6;
  static final int FDS_GROWTH = 8;
  static final long RSS_GROWTH_KIB = 32 * 1024;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Segment segment;
  private final Journal journal;
  private final Thread thread;
  private final Map<String, Integer> failures = new TreeMap<>();
  private final Set<String> reported = new HashSet<>();
  private final Map<Host, Integer> lines = new HashMap<>();
  private volatile boolean running = true;
  private long requests;
  private long served;
  private long lastSample;

  Checker(Segment segment) {
    this.segment = segment;
    this.journal = segment.journal;
    this.thread = new Thread(this::loop, "chaos-checker");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() {
    running = false;
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (running) {
      try {
        poll();
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        journal.note("checker: " + e);
      }
    }
  }

  /** One round of the continuous checks. */
  synchronized void poll() {
    for (JsonNode event : segment.log.poll()) {
      String name = event.path("event").asString();
      if (name.equals("started")) {
        started(event);
      } else if (name.equals(segment.profile.overlap() ? "notified" : "listening")) {
        Instant at = ServiceLog.wall(event);
        boolean healthy = segment.log.children().stream()
            .filter(c -> c.childId.equals(event.path("childId").asString()))
            .anyMatch(c -> ConfigFeed.healthy(c.config));
        segment.outages.stream().filter(o -> o.to == null && o.from.isBefore(at) && (healthy || !o.needsHealthy))
            .forEach(o -> o.to = at);
      }
    }
    serving();
    segment.each(this::logLines);
    if (System.nanoTime() - lastSample > 10_000_000_000L) {
      lastSample = System.nanoTime();
      Host host = segment.host;
      if (host != null) {
        host.sample();
        List<Host.Sample> samples = host.samples();
        if (!samples.isEmpty()) {
          caps(host, samples.get(samples.size() - 1));
        }
      }
    }
    Workload workload = segment.workload();
    if (workload != null) {
      requests(workload.drain());
    }
  }

  /** A child started: what else carrying a child id was alive at that moment (the service looked). */
  private void started(JsonNode event) {
    String childId = event.path("childId").asString();
    long hostPid = ServiceLog.hostPidOf(childId);
    Set<Long> ours = new HashSet<>();
    segment.hosts.forEach(h -> ours.add(h.pid()));
    Set<String> sameHost = new HashSet<>();
    for (JsonNode other : event.path("others")) {
      String otherId = other.path("childId").asString();
      if (!ours.contains(ServiceLog.hostPidOf(otherId))) {
        continue; // another run's (other tests may run on this machine)
      }
      if (ServiceLog.hostPidOf(otherId) != hostPid) {
        journal.violation(ServiceLog.wall(event), "no child of an earlier host alive when the next host starts its own",
            "child " + childId + " (python " + event.get("pid") + ") started while " + other + " was alive");
      } else if (!leftTheGroup(otherId, other)) {
        sameHost.add(otherId);
        // In an overlap the child serving stays while its successor starts (and a successor that is not ready
        // may be replaced by a newer one): one other child of this host, one that got ready.
        boolean overlap = segment.profile.overlap() && sameHost.size() == 1 && wasReady(otherId);
        if (!overlap) {
          journal.violation(ServiceLog.wall(event), "a new child starts only when the old one's group is gone",
              "child " + childId + " (python " + event.get("pid") + ") started while " + other + " of the same "
                  + "host was alive" + (segment.profile.overlap() ? " (other children alive: " + sameHost + ")" : ""));
        }
      }
    }
  }

  private boolean wasReady(String childId) {
    return segment.log.children().stream().anyMatch(c -> c.childId.equals(childId) && c.notified != null);
  }

  /** A grandchild that left the group (setsid): the host sweeps it right after the old child, not before. */
  private boolean leftTheGroup(String childId, JsonNode other) {
    long pid = other.path("pid").asLong();
    return segment.log.children().stream().filter(c -> c.childId.equals(childId))
        .flatMap(c -> c.grandchildren().stream())
        .anyMatch(p -> p.pid() == pid && p.role().equals("setsid"));
  }

  /** At most one listening Python process alive (two in an overlap). */
  private void serving() {
    List<Child> listening = new ArrayList<>();
    for (Child child : segment.log.children()) {
      if (child.isListening() && child.stopped == null && child.python.alive()) {
        listening.add(child);
      }
    }
    int allowed = segment.profile.overlap() ? 2 : 1;
    if (listening.size() > allowed) {
      String key = "serving " + listening.stream().map(c -> c.childId).toList();
      if (reported.add(key)) {
        journal.violation(Instant.now(), "never two children serving at once outside an overlap",
            listening.size() + " listening children alive: " + listening);
      }
    }
  }

  private void logLines(Host host) {
    for (String line : host.newLines()) {
      lines.merge(host, 1, Integer::sum);
      Instant at = time(line);
      if (at == null) {
        journal.violation(Instant.now(), "every log line parses",
            host + " wrote a line that is not a JSON log object: " + abbreviate(line));
      }
      if (line.contains(Segment.SECRET)) {
        journal.violation(at != null ? at : Instant.now(), "no secret in the log",
            host + " logged a secret: " + abbreviate(line));
      }
    }
  }

  /** The {@code time} of a host log line, or null if the line is not a JSON object with time, level and message. */
  static Instant time(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      if (!node.isObject() || !node.has("level") || !node.has("message")) {
        return null;
      }
      return Instant.parse(node.path("time").asString());
    } catch (JacksonException | DateTimeParseException e) {
      return null;
    }
  }

  private void caps(Host host, Host.Sample sample) {
    var s = sample.status();
    if (s.threads() > THREADS_CAP || s.fds() > FDS_CAP || s.rssKib() > RSS_CAP_KIB) {
      if (reported.add("caps " + host.pid())) {
        journal.violation(Instant.now(), "host threads, fds and RSS bounded",
            host + " at " + sample.age().toSeconds() + " s: " + s.threads() + " threads (cap " + THREADS_CAP + "), "
                + s.fds() + " fds (cap " + FDS_CAP + "), RSS " + s.rssMib() + " (cap " + RSS_CAP_KIB / 1024 + " MiB)");
      }
    }
  }

  /** The end of a segment: the growth of every long-lived host, the last log lines. */
  synchronized void finish() {
    segment.each(this::logLines);
    for (Host host : segment.hosts) {
      List<Host.Sample> samples = host.samples();
      if (samples.isEmpty() || samples.get(samples.size() - 1).age().compareTo(Duration.ofMinutes(4)) < 0) {
        continue;
      }
      List<Host.Sample> early = samples.stream().filter(s -> s.age().toSeconds() >= 60 && s.age().toSeconds() < 120)
          .toList();
      List<Host.Sample> late = samples.subList(Math.max(0, samples.size() - 3), samples.size());
      if (early.isEmpty()) {
        continue;
      }
      int threads0 = early.stream().mapToInt(s -> s.status().threads()).max().orElseThrow();
      int fds0 = early.stream().mapToInt(s -> s.status().fds()).max().orElseThrow();
      long rss0 = early.stream().mapToLong(s -> s.status().rssKib()).max().orElseThrow();
      int threads1 = late.stream().mapToInt(s -> s.status().threads()).min().orElseThrow();
      int fds1 = late.stream().mapToInt(s -> s.status().fds()).min().orElseThrow();
      long rss1 = late.stream().mapToLong(s -> s.status().rssKib()).min().orElseThrow();
      String figures = String.format("%s over %d s: threads %d -> %d, fds %d -> %d, RSS %.1f -> %.1f MiB", host,
          samples.get(samples.size() - 1).age().toSeconds(), threads0, threads1, fds0, fds1, rss0 / 1024.0,
          rss1 / 1024.0);
      journal.note("resources of " + figures);
      if (threads1 - threads0 > THREADS_GROWTH || fds1 - fds0 > FDS_GROWTH || rss1 - rss0 > RSS_GROWTH_KIB) {
        journal.violation(Instant.now(), "host threads, fds and RSS flat", figures + " (bounds: +" + THREADS_GROWTH
            + " threads, +" + FDS_GROWTH + " fds, +" + RSS_GROWTH_KIB / 1024 + " MiB)");
      }
    }
    String summary = failures.isEmpty() ? "none" : failures.toString();
    journal.note("requests: " + requests + " sent, " + served + " served; failed: " + summary);
  }

  /** Judges finished requests. */
  synchronized void requests(List<Workload.Result> results) {
    for (Workload.Result result : results) {
      requests++;
      if (result.ok()) {
        served++;
        continue;
      }
      String why = excuse(result);
      failures.merge(why == null ? result.outcome() : result.outcome() + " (" + why + ")", 1, Integer::sum);
      if (why == null && segment.profile.overlap()) {
        journal.violation(result.start(), "with inherit + notify no request fails but those on a killed child",
            "a request sent at " + result.start() + " ended " + result.outcome() + " at " + result.end());
      }
    }
  }

  /** Why a failed request is excused, or null: in flight when a child was killed, or sent while none could serve. */
  private String excuse(Workload.Result r) {
    for (Instant kill : segment.childKills) {
      if (r.start().isBefore(kill) && !r.end().isBefore(kill)) {
        return "in flight on a killed child";
      }
    }
    // A host's stop or kill first: it explains a failure better than a config that could not serve meanwhile.
    List<Segment.Outage> outages = new ArrayList<>(segment.outages);
    outages.sort((a, b) -> Boolean.compare(!a.cause.startsWith("host"), !b.cause.startsWith("host")));
    for (Segment.Outage outage : outages) {
      Instant to = outage.to;
      boolean sentDuring = !r.start().isBefore(outage.from.minusMillis(50)) && (to == null || !r.start().isAfter(to));
      boolean inFlight = r.start().isBefore(outage.from) && !r.end().isBefore(outage.from);
      if (sentDuring || inFlight) {
        return "no child could serve: " + outage.cause;
      }
    }
    return null;
  }

  /** The requests of a segment: sent, served, and the failures by outcome and excuse. */
  record Totals(long sent, long served, Map<String, Integer> failures) {
  }

  synchronized Totals totals() {
    return new Totals(requests, served, Map.copyOf(failures));
  }

  private static String abbreviate(String line) {
    return line.length() <= 300 ? line : line.substring(0, 300) + "…";
  }
}
