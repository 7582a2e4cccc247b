package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chaos runner ({@code make chaos SEED=… MINUTES=…}): the launcher, through its production start script,
 * under a seeded random schedule of faults while a steady workload runs and invariants are checked all the time
 * (see {@link Segment} for the faults, {@link Checker} for the invariants). The run's time is shared by its
 * profiles ({@link Profile}: cluster or offline mode, each with {@code python.socket: bind} and with {@code
 * inherit} + {@code notify}), one segment each, every segment ending with the faults undone and the host
 * settled and stopped.
 *
 * <p>The seed is printed first: the same seed draws the same faults with the same parameters in the same order
 * (their moments follow the machine, so a replay is close, not identical). Everything — the schedule, the hosts'
 * logs, the service's events — is kept in the run's folder. Exit code 0 when no invariant was violated.
 *
 * <p>System properties: {@code chaos.seed} (default: random), {@code chaos.minutes} (5), {@code chaos.profiles}
 * (all four, comma-separated), {@code chaos.rate} (requests a second, 25), {@code chaos.dir} (default {@code
 * chaos/target/runs/seed-<seed>}).
 */
public final class Chaos {
  /** What a run found. */
  public record Result(long seed, double minutes, int events, List<Journal.Violation> violations,
                       List<String> segments, Path dir) {
    public boolean clean() {
      return violations.isEmpty();
    }

    public String summary() {
      StringBuilder text = new StringBuilder(String.format("CHAOS seed=%d minutes=%s events=%d violations=%d (%s)%n",
          seed, minutes, events, violations.size(), dir));
      segments.forEach(s -> text.append("  ").append(s).append('\n'));
      violations.forEach(v -> text.append(String.format("  VIOLATION at %.3fs [%s] %s: %s%n", v.seconds(),
          v.segment(), v.invariant(), v.detail())));
      return text.toString().stripTrailing();
    }
  }

  private Chaos() {
  }

  public static void main(String[] args) throws Exception {
    String seedText = System.getProperty("chaos.seed", "");
    long seed = seedText.isBlank() ? System.currentTimeMillis() % 1_000_000 : Long.parseLong(seedText.strip());
    double minutes = Double.parseDouble(System.getProperty("chaos.minutes", "5").strip());
    String profileText = System.getProperty("chaos.profiles", "");
    List<Profile> profiles = profileText.isBlank() ? Profile.ALL
        : Arrays.stream(profileText.split(",")).map(Profile::parse).toList();
    int rate = Integer.parseInt(System.getProperty("chaos.rate", "25"));
    Path repository = Path.of("").toAbsolutePath();
    Path dir = Path.of(System.getProperty("chaos.dir", "chaos/target/runs/seed-" + seed));
    Result result = run(repository, dir, seed, minutes, profiles, rate, System.out);
    System.out.println(result.summary());
    System.exit(result.clean() ? 0 : 1);
  }

  /** Runs {@code minutes} of chaos shared by {@code profiles} in {@code dir}, printing to {@code out}. */
  public static Result run(Path repository, Path dir, long seed, double minutes, List<Profile> profiles, int rate,
                           PrintStream out) throws InterruptedException {
    dir = dir.toAbsolutePath().normalize();
    try {
      if (Files.exists(dir)) {
        try (var files = Files.walk(dir)) {
          files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.printf("CHAOS seed=%d minutes=%s profiles=%s rate=%d/s: replay with `make chaos SEED=%d MINUTES=%s`; "
        + "schedule and logs in %s%n", seed, minutes, profiles, rate, seed, minutes, dir.toAbsolutePath());
    out.flush();
    Journal journal = new Journal(dir.resolve("schedule.log"), out);
    Duration each = Duration.ofMillis((long) (minutes * 60_000 / profiles.size()));
    List<String> segments = new ArrayList<>();
    for (int i = 0; i < profiles.size(); i++) {
      Profile profile = profiles.get(i);
      Segment segment = new Segment(profile, repository, dir.resolve(i + 1 + "-" + profile), seed * 31 + i, each,
          rate, journal);
      int before = journal.violations().size();
      Checker.Totals totals = segment.run();
      Map<String, Integer> faults = new TreeMap<>(segment.counts);
      String line = String.format("%s: %d faults %s; %d hosts; requests %d sent, %d served, failed %s; settled %s; "
              + "violations %d", profile, faults.values().stream().mapToInt(Integer::intValue).sum(), faults,
          segment.hosts.size(), totals.sent(), totals.served(), totals.failures().isEmpty() ? "none"
              : totals.failures(), segment.settledIn.map(d -> "in " + d.toMillis() + " ms").orElse("no"),
          journal.violations().size() - before);
      out.println("SEGMENT " + line);
      out.flush();
      segments.add(line);
    }
    return new Result(seed, minutes, journal.events(), journal.violations(), segments, dir.toAbsolutePath());
  }
}
