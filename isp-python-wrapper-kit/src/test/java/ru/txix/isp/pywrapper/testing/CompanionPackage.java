package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The repository's companion Python package ({@code python/}, import name {@code isp_wrapper}), copied beside a
 * test's Python project so that the project's path dependency on it ({@code ../python}, or {@code ../../python}
 * from {@code examples/<name>}) resolves in the test's folder as it does in the repository.
 */
public final class CompanionPackage {
  /** What a project needs to build and install the package: no venv, lock, tests or build output. */
  private static final List<String> FILES = List.of("pyproject.toml", "README.md", "LICENSE", "src");

  private CompanionPackage() {
  }

  /** The repository's root: the first folder from the working directory up that holds {@code python/pyproject.toml}. */
  public static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("python/pyproject.toml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no python/pyproject.toml in " + Path.of("").toAbsolutePath() + " or above");
  }

  /** Copies the package into {@code folder/python} and returns that folder. */
  public static Path copyInto(Path folder) {
    Path source = repositoryRoot().resolve("python");
    Path target = folder.resolve("python");
    try {
      for (String name : FILES) {
        try (Stream<Path> files = Files.walk(source.resolve(name))) {
          for (Path file : (Iterable<Path>) files::iterator) {
            if (file.toString().contains("__pycache__")) {
              continue;
            }
            Path copy = target.resolve(source.relativize(file).toString());
            if (Files.isDirectory(file)) {
              Files.createDirectories(copy);
            } else {
              Files.createDirectories(copy.getParent());
              Files.copy(file, copy);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }
}
