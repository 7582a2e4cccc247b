package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import ru.txix.isp.pywrapper.cluster.ClusterEvents;
import ru.txix.isp.pywrapper.cluster.etp.EtpCodec;
import ru.txix.isp.pywrapper.cluster.etp.EtpMessage;
import ru.txix.isp.pywrapper.testing.FakeConfigService;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The configs of a segment and the newest valid one: each config carries its version ({@code v}), secrets the
 * host must never log, and sometimes grandchildren; it is pushed to the config-service stand-in (cluster mode) or
 * written to {@code conf/config.json} (offline mode). Invalid configs are sent (never stored by the stand-in, as
 * the real service never keeps one its schema rejects) or written and replaced by the valid one a moment later.
 *
 * <p>Called only on the segment's fault thread; its draws from {@code random} are part of the seeded schedule.
 */
final class ConfigFeed {
  /** A second half due later (the segment runs it on the fault thread). */
  interface Later {
    void run(long ms, String what, Runnable action);
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SECRET = Segment.SECRET;

  private final Random random;
  private final Journal journal;
  private final Profile profile;
  private final Path conf;
  private final Supplier<FakeConfigService> service;
  private final BooleanSupplier serviceDown;
  private final List<Segment.Outage> outages;
  private final Later later;
  private int version;
  private ObjectNode lastValid;
  private boolean invalidSinceValid;

  ConfigFeed(Random random, Journal journal, Profile profile, Path conf, Supplier<FakeConfigService> service,
             BooleanSupplier serviceDown, List<Segment.Outage> outages, Later later) {
    this.random = random;
    this.journal = journal;
    this.profile = profile;
    this.conf = conf;
    this.service = service;
    this.serviceDown = serviceDown;
    this.outages = outages;
    this.later = later;
    this.lastValid = next();
  }

  /** The newest valid config pushed (or the first one). */
  ObjectNode lastValid() {
    return lastValid;
  }

  /** Whether an invalid config went out after the newest valid one (the host's health then says so). */
  boolean invalidSinceValid() {
    return invalidSinceValid;
  }

  /** A new config, one version up (not pushed yet). */
  ObjectNode next() {
    return config(++version);
  }

  /** A config: its version, secrets the host must never log, and sometimes grandchildren. */
  private ObjectNode config(int v) {
    ObjectNode config = JSON.createObjectNode();
    config.put("v", v);
    config.put("password", SECRET + "-password-" + v);
    config.putObject("db").put("user", "chaos").put("token", SECRET + "-token-" + v);
    config.putObject("credentials").put("login", "chaos").put("key", SECRET + "-credentials-" + v);
    config.put("apiSecret", SECRET + "-api-" + v);
    int kids = random.nextInt(10);
    if (kids >= 6) {
      ArrayNode grandchildren = config.putArray("grandchildren");
      grandchildren.add(kids == 9 ? "setsid" : "group");
      if (kids >= 8) {
        grandchildren.add("group");
      }
    }
    return config;
  }

  static boolean healthy(JsonNode config) {
    return !config.has("exitCode") && !config.has("bindDelay") && !config.has("exitAfter")
        && !config.has("neverReady");
  }

  void pushValid(ObjectNode config, String what) {
    if (!healthy(config) && healthy(lastValid)) {
      outages.add(new Segment.Outage(Instant.now(), "newest config cannot serve", true));
    }
    lastValid = config;
    journal.note("config v" + config.get("v").asInt() + " pushed (" + what
        + (config.has("grandchildren") ? ", grandchildren " + config.get("grandchildren") : "") + ")");
    deliver(text(config));
  }

  private void deliver(String text) {
    invalidSinceValid = false;
    if (profile.cluster()) {
      service.get().pushConfig(Segment.MODULE, text);
    } else {
      writeOffline(text);
    }
  }

  void pushInvalid() {
    int kind = random.nextInt(3);
    String secret = SECRET + "-invalid-" + version;
    if (profile.cluster()) {
      // Sent, not stored: the real config service never keeps a config its schema rejects.
      String data = switch (kind) {
        case 0 -> "{\"v\":\"not a number\",\"password\":\"" + secret + "\"}";
        case 1 -> "{\"password\":\"" + secret + "\",\"v\": oops";
        default -> "{\"token\":\"" + secret + "\"}";
      };
      journal.note("invalid config sent (" + (kind == 0 ? "schema: v is a string" : kind == 1 ? "not JSON"
          : "schema: v missing") + ")");
      if (!serviceDown.getAsBoolean()) {
        invalidSinceValid = true;
        service.get().sendRaw(EtpCodec.encode(new EtpMessage(ClusterEvents.CONFIG_SEND_CONFIG_CHANGED, 0, data)));
      }
      return;
    }
    String data = switch (kind) {
      case 0 -> "{\"v\":\"not a number\",\"password\":\"" + secret + "\"}";
      case 1 -> "{\"password\":\"" + secret + "\",\"v\": oops";
      default -> "";
    };
    long fixIn = 500 + random.nextInt(3500);
    journal.note("invalid offline config written (" + (kind == 0 ? "schema: v is a string" : kind == 1 ? "not JSON"
        : "empty file") + "), the valid one back in " + fixIn + " ms");
    writeOffline(data);
    invalidSinceValid = true;
    later.run(fixIn, "the last valid offline config written back", () -> deliver(text(lastValid)));
  }

  /** The newest valid config again, its keys in another order: the same JSON value, nothing to restart. */
  void pushIdentical() {
    ObjectNode reordered = JSON.createObjectNode();
    List<String> names = new ArrayList<>(lastValid.propertyNames());
    java.util.Collections.reverse(names);
    names.forEach(name -> reordered.set(name, lastValid.get(name)));
    journal.note("identical config v" + lastValid.get("v").asInt() + " pushed again (keys reordered)");
    deliver(text(reordered));
  }

  void burst() throws InterruptedException {
    int count = 5 + random.nextInt(36);
    journal.note("burst of " + count + " configs v" + (version + 1) + "..v" + (version + count) + " within 1 s");
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      lastValid = next();
      deliver(text(lastValid));
      long due = start + (i + 1) * 1_000_000_000L / count;
      long wait = (due - System.nanoTime()) / 1_000_000;
      if (wait > 0) {
        Thread.sleep(wait);
      }
    }
  }

  /** Offline only: the file rewritten in place in two halves (no rename), a reader may catch the first. */
  void tornWrite() throws InterruptedException {
    ObjectNode config = next();
    lastValid = config;
    byte[] bytes = text(config).getBytes(StandardCharsets.UTF_8);
    int cut = bytes.length / 2;
    journal.note("config v" + version + " written in place in two halves, 100 ms apart");
    Path file = conf.resolve("config.json");
    try {
      Files.write(file, java.util.Arrays.copyOf(bytes, cut));
      Thread.sleep(100);
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeOffline(String text) {
    try {
      Path temp = conf.resolve(".config.json.chaos");
      Files.writeString(temp, text);
      Files.move(temp, conf.resolve("config.json"), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonNode config) {
    return config.toString();
  }
}
