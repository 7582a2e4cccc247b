package ru.txix.isp.pywrapper.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the real {@code uv} for tests: on PATH, else beside {@code python3} (where pip puts it). */
public final class Uv {
  private static Path found;

  private Uv() {
  }

  /** The uv binary; fails the test with instructions if there is none. */
  public static synchronized Path binary() {
    if (found == null) {
      found = onPath().or(Uv::besidePython).orElseThrow(() -> new AssertionError(
          "uv is needed by the real-process tests and was not found: run `make test` (it installs uv) "
              + "or `python3 -m pip install uv`"));
    }
    return found;
  }

  /** The host's PATH with uv's folder in front. */
  public static String path() {
    return binary().getParent() + File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
  }

  private static Optional<Path> onPath() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "uv");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> besidePython() {
    try {
      Process process = new ProcessBuilder("python3", "-c", "import uv; print(uv.find_uv_bin())")
          .redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return process.waitFor() == 0 ? Optional.of(Path.of(out)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
