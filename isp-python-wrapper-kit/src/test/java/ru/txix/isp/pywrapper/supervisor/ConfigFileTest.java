package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir
  Path dir;

  @Test
  void anAbsentFileIsFreeAndOnceWrittenItIsTheHostsOwn() throws Exception {
    ConfigFile file = new ConfigFile(dir.resolve("run/config.json"));
    assertThat(file.foreignProblem("config.json")).isEmpty();

    file.write(bytes("{\"v\":1}"));

    assertThat(Files.readString(file.path())).isEqualTo("{\"v\":1}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
    assertThat(new ConfigFile(file.path()).foreignProblem("config.json")).as("a later host's view").isEmpty();
  }

  @Test
  void aFileTheHostDidNotWriteIsForeignAndSoIsOneChangedSince() throws Exception {
    Path path = dir.resolve("config.json");
    Files.writeString(path, "{\"my\":\"settings\"}");
    assertThat(new ConfigFile(path).foreignProblem("config.json")).hasValue("config.json: exists and was not "
        + "written by this host, which leaves it untouched; the host writes the Python service's config "
        + "(CONFIG_FILE) there afresh at every start: move the file away, or set APP_PYTHON_CONFIG_PATH to "
        + "another file");

    Files.delete(path);
    new ConfigFile(path).write(bytes("{\"v\":1}"));
    Files.writeString(path, "{\"my\":\"settings\"}"); // replaced by someone else since
    assertThat(new ConfigFile(path).foreignProblem("config.json")).isPresent();

    Files.delete(path);
    Files.createDirectory(path);
    assertThat(new ConfigFile(path).foreignProblem("config.json")).hasValueSatisfying(problem ->
        assertThat(problem).startsWith("config.json: exists and is not a file"));
  }

  @Test
  void theNoteNamesThePreviousContentTooForAHostStoppedBetweenNoteAndFile() throws Exception {
    ConfigFile file = new ConfigFile(dir.resolve("config.json"));
    file.write(bytes("{\"v\":1}"));
    file.write(bytes("{\"v\":2}"));

    assertThat(Files.readAllLines(file.note())).hasSize(2);
    Files.writeString(file.path(), "{\"v\":1}"); // as if the rename of {"v":2} never happened
    assertThat(new ConfigFile(file.path()).foreignProblem("config.json")).isEmpty();
  }

  @Test
  void aLaterHostTakesOverItsPredecessorsFile() throws Exception {
    new ConfigFile(dir.resolve("config.json")).write(bytes("{\"v\":1}"));

    ConfigFile next = new ConfigFile(dir.resolve("config.json"));
    next.write(bytes("{\"v\":2}"));
    Files.writeString(next.path(), "{\"v\":1}");

    assertThat(new ConfigFile(next.path()).foreignProblem("config.json")).as("the first write keeps the old stamp")
        .isEmpty();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
