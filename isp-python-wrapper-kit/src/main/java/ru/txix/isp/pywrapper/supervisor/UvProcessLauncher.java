package ru.txix.isp.pywrapper.supervisor;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.txix.isp.pywrapper.internal.posix.ProcessGroups;

/**
 * Starts {@code uv run …} as the leader of a new session and process group, so that every signal reaches
 * {@code uv}, Python and anything Python starts.
 *
 * <p>The JDK cannot call {@code setsid()} between fork and exec, so the command is prefixed with the
 * {@code setsid} program (util-linux or busybox; it execs in place, keeping the pid), or with a one-line
 * {@code perl} that does the same where {@code setsid} is missing (macOS). Without either — and on Windows —
 * the child runs in the host's group and stop falls back to the process tree (best effort).
 *
 * <p>The child gets no stdin ({@code /dev/null}) and inherits stdout and stderr. Its environment also gets
 * {@value #CHILD_ID_VARIABLE}, a unique value that lets {@link ChildProcess#cleanUp()} find descendants that
 * left the group (Linux).
 */
final class UvProcessLauncher implements ProcessLauncher {
  /** Environment variable marking every process of one child; read back from {@code /proc/<pid>/environ}. */
  public static final String CHILD_ID_VARIABLE = "PYWRAPPER_CHILD_ID";

  private static final Logger log = LoggerFactory.getLogger(UvProcessLauncher.class);
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
  private static final AtomicLong CHILD_IDS = new AtomicLong();

  private final List<String> groupLeaderPrefix;

  public UvProcessLauncher() {
    this(defaultGroupLeaderPrefix());
  }

  /** For testing: a given prefix ({@code List.of()} runs the child in the host's own group). */
  UvProcessLauncher(List<String> groupLeaderPrefix) {
    this.groupLeaderPrefix = List.copyOf(groupLeaderPrefix);
    if (groupLeaderPrefix.isEmpty() && !WINDOWS) {
      log.atWarn().addKeyValue("worker", "supervisor")
          .log("neither `setsid` nor `perl` found: the python child shares the host's process group; "
              + "stop falls back to signalling the process tree");
    }
  }

  /**
   * What both launchers need before starting {@code spec}: the folder and the entry file checked, {@code uv}
   * resolved to a path, the command with that path, and the environment with a fresh child id.
   */
  record Prepared(Path directory, List<String> command, Map<String, String> environment, String childId) {
  }

  static Prepared prepare(LaunchSpec spec) throws LaunchException {
    Path directory = spec.directory().toAbsolutePath().normalize();
    if (!Files.isDirectory(directory)) {
      throw new LaunchException(spec, "the folder does not exist");
    }
    if (!Files.isRegularFile(directory.resolve(spec.script()))) {
      throw new LaunchException(spec, "the entry file " + spec.script() + " does not exist");
    }
    Path uv = resolveExecutable(spec, directory);
    List<String> command = new ArrayList<>();
    command.add(uv.toString());
    command.addAll(spec.command().subList(1, spec.command().size()));
    String childId = ProcessHandle.current().pid() + "-" + CHILD_IDS.incrementAndGet() + "-" + System.nanoTime();
    Map<String, String> environment = new HashMap<>(spec.environment());
    environment.put(CHILD_ID_VARIABLE, childId);
    return new Prepared(directory, List.copyOf(command), environment, childId);
  }

  @Override
  public ChildProcess launch(LaunchSpec spec) throws LaunchException {
    Prepared prepared = prepare(spec);
    Path directory = prepared.directory();
    String childId = prepared.childId();
    Map<String, String> environment = prepared.environment();
    List<String> command = new ArrayList<>(groupLeaderPrefix);
    command.addAll(prepared.command());

    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File(WINDOWS ? "NUL" : "/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().clear();
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      boolean ownGroup = !groupLeaderPrefix.isEmpty() && ProcessGroups.supported();
      return new UvChildProcess(process, ownGroup, childId);
    } catch (IOException e) {
      throw new LaunchException(spec, String.valueOf(e.getMessage()), e);
    }
  }

  private static Path resolveExecutable(LaunchSpec spec, Path directory) throws LaunchException {
    String name = spec.uv();
    if (name.contains("/") || name.contains(File.separator)) {
      Path path = directory.resolve(name);
      if (!Files.isRegularFile(path)) {
        throw new LaunchException(spec, "uv " + path + " (python.uv) does not exist");
      }
      if (!Files.isExecutable(path)) {
        throw new LaunchException(spec, "uv " + path + " (python.uv) is not executable");
      }
      return path;
    }
    String searchPath = Optional.ofNullable(spec.environment().get("PATH")).orElse("");
    Path notExecutable = null;
    for (String entry : searchPath.split(File.pathSeparator, -1)) {
      for (String candidate : WINDOWS ? List.of(name + ".exe", name) : List.of(name)) {
        Path path;
        try {
          path = directory.resolve(entry.isEmpty() ? "." : entry).resolve(candidate);
        } catch (InvalidPathException e) {
          continue;
        }
        if (Files.isRegularFile(path)) {
          if (Files.isExecutable(path)) {
            return path.toAbsolutePath().normalize();
          }
          notExecutable = path;
        }
      }
    }
    if (notExecutable != null) {
      throw new LaunchException(spec, notExecutable + " is not executable");
    }
    throw new LaunchException(spec, name + " not found on PATH (" + searchPath
        + "); install uv (https://docs.astral.sh/uv/getting-started/installation/) or put it on PATH");
  }

  /** {@code setsid} where it exists, else the {@code perl} equivalent, else nothing. */
  static List<String> defaultGroupLeaderPrefix() {
    if (WINDOWS) {
      return List.of();
    }
    Optional<Path> setsid = findOnHostPath("setsid");
    if (setsid.isPresent()) {
      return List.of(setsid.get().toString());
    }
    return findOnHostPath("perl")
        .map(perl -> List.of(perl.toString(), "-e",
            "use POSIX (); POSIX::setsid(); exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\\n\";", "--"))
        .orElse(List.of());
  }

  private static Optional<Path> findOnHostPath(String name) {
    List<String> dirs = new ArrayList<>(List.of(Optional.ofNullable(System.getenv("PATH")).orElse("")
        .split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/bin", "/bin", "/usr/local/bin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path path = Path.of(dir, name);
      if (Files.isRegularFile(path) && Files.isExecutable(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }
}
