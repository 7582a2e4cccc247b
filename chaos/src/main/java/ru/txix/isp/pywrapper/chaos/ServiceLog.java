package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chaos service's events ({@code CHAOS_LOG}), read as they are appended, and what they say about each child:
 * its processes (uv, Python, grandchildren, each named by pid and start time), its config, whether it listens,
 * the host lists it received.
 *
 * <p>Thread-safe: {@link #poll()} on the checker's thread, the queries from the fault thread.
 */
final class ServiceLog {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One process of a child's tree. */
  record Proc(long pid, long startTicks, String role) {
    boolean alive() {
      return Signals.alive(pid, startTicks);
    }

    @Override
    public String toString() {
      return role + " " + pid;
    }
  }

  /** One child (one {@code PYWRAPPER_CHILD_ID}) as its Python process reported it. */
  static final class Child {
    final String childId;
    final long hostPid;
    final Proc python;
    final Proc uv;
    final Instant started;
    final JsonNode config;
    final JsonNode others;
    final List<Proc> grandchildren = new ArrayList<>();
    final Map<String, JsonNode> hosts = new LinkedHashMap<>();
    Instant listening;
    Instant notified;
    Instant stopped;

    Child(JsonNode started) {
      childId = started.path("childId").asString();
      hostPid = hostPidOf(childId);
      python = new Proc(started.get("pid").asLong(), started.path("startTicks").asLong(-1), "python");
      uv = new Proc(started.get("ppid").asLong(), started.path("ppidStartTicks").asLong(-1), "uv");
      this.started = wall(started);
      this.config = JSON.readTree(started.get("configText").asString());
      this.others = started.path("others");
    }

    synchronized List<Proc> processes() {
      List<Proc> all = new ArrayList<>(List.of(uv, python));
      all.addAll(grandchildren);
      return all;
    }

    synchronized List<Proc> grandchildren() {
      return List.copyOf(grandchildren);
    }

    synchronized Optional<JsonNode> lastHosts(String module) {
      return Optional.ofNullable(hosts.get(module));
    }

    synchronized boolean isListening() {
      return listening != null;
    }

    @Override
    public String toString() {
      return "child " + childId + " (python " + python.pid() + ", uv " + uv.pid() + ", v "
          + config.path("v").asString("?") + ")";
    }
  }

  private final Path file;
  private final List<JsonNode> events = new ArrayList<>();
  private final Map<String, Child> children = new LinkedHashMap<>();
  private final List<Proc> orphanGrandchildren = new ArrayList<>();
  private long offset;
  private final StringBuilder partial = new StringBuilder();

  ServiceLog(Path file) {
    this.file = file;
  }

  static long hostPidOf(String childId) {
    int dash = childId.indexOf('-');
    try {
      return dash > 0 ? Long.parseLong(childId.substring(0, dash)) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static Instant wall(JsonNode event) {
    long ns = event.path("wallNs").asLong();
    return Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L);
  }

  /** Reads what was appended since the last call and returns those events. */
  synchronized List<JsonNode> poll() {
    List<JsonNode> fresh = new ArrayList<>();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      if (in.length() > offset) {
        in.seek(offset);
        byte[] bytes = new byte[(int) (in.length() - offset)];
        in.readFully(bytes);
        offset += bytes.length;
        partial.append(new String(bytes, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      return fresh; // not written yet
    }
    int newline;
    while ((newline = partial.indexOf("\n")) >= 0) {
      String line = partial.substring(0, newline);
      partial.delete(0, newline + 1);
      try {
        JsonNode event = JSON.readTree(line);
        fresh.add(event);
        apply(event);
      } catch (JacksonException e) {
        // a line cut by a process killed mid-write: the rest of the file is still whole lines
      }
    }
    events.addAll(fresh);
    return fresh;
  }

  private void apply(JsonNode event) {
    String name = event.path("event").asString();
    String childId = event.path("childId").asString();
    if (name.equals("started")) {
      children.put(childId, new Child(event));
      return;
    }
    Child child = children.get(childId);
    if (name.equals("grandchild")) {
      Proc proc = new Proc(event.get("pid").asLong(), event.path("startTicks").asLong(-1),
          event.path("kind").asString());
      if (child == null) {
        orphanGrandchildren.add(proc); // its parent's "started" line comes after its own
      } else {
        synchronized (child) {
          child.grandchildren.add(proc);
        }
      }
      return;
    }
    if (child == null || event.get("pid").asLong() != child.python.pid()) {
      return;
    }
    synchronized (child) {
      switch (name) {
        case "listening" -> child.listening = wall(event);
        case "notified" -> child.notified = wall(event);
        case "stopped" -> child.stopped = wall(event);
        case "addresses" -> child.hosts.put(event.path("module").asString(), event.path("hosts"));
        default -> {
        }
      }
    }
  }

  synchronized List<Child> children() {
    adoptOrphans();
    return List.copyOf(children.values());
  }

  synchronized List<Child> childrenOf(long hostPid) {
    return children().stream().filter(c -> c.hostPid == hostPid).toList();
  }

  /** The newest child of {@code hostPid} whose Python process is alive. */
  synchronized Optional<Child> current(long hostPid) {
    List<Child> mine = childrenOf(hostPid);
    for (int i = mine.size() - 1; i >= 0; i--) {
      if (mine.get(i).python.alive()) {
        return Optional.of(mine.get(i));
      }
    }
    return Optional.empty();
  }

  synchronized List<JsonNode> events(String name) {
    return events.stream().filter(e -> e.path("event").asString().equals(name)).toList();
  }

  private void adoptOrphans() {
    if (orphanGrandchildren.isEmpty()) {
      return;
    }
    for (JsonNode event : events) {
      if (event.path("event").asString().equals("grandchild")) {
        Child child = children.get(event.path("childId").asString());
        long pid = event.get("pid").asLong();
        if (child != null && orphanGrandchildren.removeIf(p -> p.pid() == pid)) {
          synchronized (child) {
            child.grandchildren.add(new Proc(pid, event.path("startTicks").asLong(-1), event.path("kind").asString()));
          }
        }
      }
    }
  }
}
