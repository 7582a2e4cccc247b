package ru.txix.isp.pywrapper.supervisor;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What to start: {@code <uv> run <uvArgs…> <script>} in {@code directory} with exactly {@code environment}.
 *
 * @param uv the uv executable: a bare name looked up on the environment's {@code PATH}, or a path
 * @param uvArgs extra arguments between {@code run} and the script, e.g. {@code --frozen}
 * @param script the entry file, relative to {@code directory} or absolute
 * @param directory the working directory of the child
 * @param environment the child's whole environment
 */
public record LaunchSpec(String uv, List<String> uvArgs, String script, Path directory,
                         Map<String, String> environment) {
  public LaunchSpec {
    requireNonNull(uv, "uv");
    uvArgs = List.copyOf(uvArgs);
    requireNonNull(script, "script");
    requireNonNull(directory, "directory");
    environment = Map.copyOf(environment);
  }

  /** The command as it is run, before {@code uv} is resolved to a path. */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(uv);
    command.add("run");
    command.addAll(uvArgs);
    command.add(script);
    return command;
  }

  /** The command for messages: {@code uv run --frozen main.py}. */
  public String commandLine() {
    return String.join(" ", command());
  }
}
