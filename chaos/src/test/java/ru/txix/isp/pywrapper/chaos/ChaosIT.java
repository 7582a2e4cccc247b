package ru.txix.isp.pywrapper.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short chaos run of {@code make test}: about a minute of seeded random faults against the launcher (through
 * its start script) in cluster mode with inherit + notify and in offline mode with bind, the workload running,
 * the invariants checked all along. Seed, length and profiles can be changed for a replay
 * ({@code -Dchaos.seed=… -Dchaos.minutes=… -Dchaos.profiles=cluster-bind,…}); longer runs are {@code make chaos}.
 */
@Tag("process")
class ChaosIT {

  @Test
  @Timeout(900)
  void aMinuteOfSeededFaultsBreaksNoInvariant() throws Exception {
    long seed = Long.getLong("chaos.seed", 23);
    double minutes = Double.parseDouble(System.getProperty("chaos.minutes", "1"));
    String profiles = System.getProperty("chaos.profiles", "cluster-notify,offline-bind");
    List<Profile> chosen = Arrays.stream(profiles.split(",")).map(Profile::parse).toList();

    Chaos.Result result = Chaos.run(Path.of("..").toAbsolutePath().normalize(), Path.of("target/chaos-it"), seed,
        minutes, chosen, 25, System.out);
    Files.writeString(Path.of("target/chaos-summary.txt"), result.summary() + "\n");

    assertThat(result.violations()).as(result.summary()).isEmpty();
    assertThat(result.events()).isGreaterThan(20);
  }
}
