package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ru.txix.isp.pywrapper.testing.LauncherProcess;

/**
 * One way to run the host, a column of the report: a command (the start script or {@code java -jar}), the
 * environment it adds, and the JVM flags a hello world is measured with beside it.
 *
 * @param name the column's title
 * @param command the command, without arguments
 * @param environment what it adds to the project's environment ({@code JAVA} for the script)
 * @param java the java binary
 * @param helloFlags the host's JVM flags without its cache: the hello world's
 */
record HostConfig(String name, List<String> command, Map<String, String> environment, Path java,
                  List<String> helloFlags) {
  static final Path JAR = Path.of("launcher/target/isp-python-wrapper.jar");
  static final Path SCRIPT = Path.of("bin/isp-python-wrapper");

  /** {@code java -jar}, no flags. */
  static HostConfig plain(Path java) {
    return new HostConfig("JDK " + feature(java) + ", `java -jar`", List.of(java.toString(), "-jar",
        JAR.toAbsolutePath().toString()), Map.of(), java, List.of());
  }

  /**
   * The start script installed in {@code install} (with a copy of the jar), run with {@code java}; with
   * {@code cacheIn} non-null, its cache is created first, trained on the module in that folder.
   */
  static HostConfig script(String name, Path java, Path install, Path cacheIn) throws Exception {
    Files.createDirectories(install);
    Files.copy(SCRIPT, install.resolve("isp-python-wrapper"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(JAR, install.resolve("isp-python-wrapper.jar"), StandardCopyOption.REPLACE_EXISTING);
    Path script = install.resolve("isp-python-wrapper");
    Map<String, String> environment = Map.of("JAVA", java.toString());
    if (cacheIn != null) {
      String out = run(List.of(script.toString(), "--create-cache"), cacheIn, environment);
      if (!out.contains("created")) {
        throw new IllegalStateException("cannot create the cache for " + name + ": " + out);
      }
    }
    List<String> printed = Arrays.asList(run(List.of(script.toString(), "--print-command"), install, environment)
        .strip().split(" "));
    List<String> flags = new ArrayList<>(printed.subList(1, printed.indexOf("-jar")));
    flags.removeIf(flag -> flag.startsWith("-XX:SharedArchiveFile") || flag.startsWith("-Disp.pywrapper.") || flag.startsWith("-XX:AOTCache")
        || flag.startsWith("-Xlog:"));
    return new HostConfig(name, List.of(script.toString()), environment, java, flags);
  }

  /**
   * The distribution in {@code folder} ({@code make dist}) as it is deployed: copied to {@code install} with its
   * cache made there, trained on the module in {@code cacheIn} (as the production column's, and as the deploy
   * kit's Dockerfile does), then run by its start script with no {@code JAVA} or {@code JAVA_HOME}, so that it
   * finds its own runtime (checked here; the tests run it with no java on PATH as well).
   */
  static HostConfig distribution(String name, Path folder, Path install, Path cacheIn) throws Exception {
    Process copy = new ProcessBuilder("cp", "-a", folder.toString(), install.toString()).inheritIO().start();
    if (copy.waitFor() != 0) {
      throw new IllegalStateException("cannot copy " + folder + " to " + install);
    }
    Path script = install.resolve("bin/isp-python-wrapper").toAbsolutePath();
    Path java = install.resolve("runtime/bin/java").toAbsolutePath();
    Map<String, String> environment = new HashMap<>();
    environment.put("JAVA", "");
    environment.put("JAVA_HOME", "");
    String out = run(List.of(script.toString(), "--create-cache"), cacheIn, environment);
    if (!out.contains("created")) {
      throw new IllegalStateException("cannot create the cache for " + name + ": " + out);
    }
    List<String> printed = Arrays.asList(run(List.of(script.toString(), "--print-command"), install, environment)
        .strip().split(" "));
    if (!printed.get(0).equals(java.toString())) {
      throw new IllegalStateException(script + " runs " + printed.get(0) + ", not its own runtime " + java);
    }
    List<String> flags = new ArrayList<>(printed.subList(1, printed.indexOf("-jar")));
    flags.removeIf(flag -> flag.startsWith("-XX:SharedArchiveFile") || flag.startsWith("-Disp.pywrapper.")
        || flag.startsWith("-XX:AOTCache") || flag.startsWith("-Xlog:"));
    return new HostConfig(name, List.of(script.toString()), environment, java, flags);
  }

  /** Starts the host in {@code dir}. */
  LauncherProcess start(Path dir, Map<String, String> projectEnvironment) {
    Map<String, String> all = new HashMap<>(projectEnvironment);
    all.putAll(environment);
    all.values().removeIf(String::isEmpty);
    return LauncherProcess.run(command, dir, all);
  }

  /** The Java feature version from the JDK's release file (17, 25). */
  static String feature(Path java) {
    try {
      Path release = java.toRealPath().getParent().getParent().resolve("release");
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("JAVA_VERSION=")) {
          return line.replaceAll("[^0-9.]", "").split("\\.")[0];
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "?";
  }

  private static String run(List<String> command, Path dir, Map<String, String> environment) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes());
    process.waitFor(120, TimeUnit.SECONDS);
    return out;
  }
}
