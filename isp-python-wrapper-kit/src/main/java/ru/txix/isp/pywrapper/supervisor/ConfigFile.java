package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The file the child reads its config from ({@code CONFIG_FILE}), replaced atomically: the bytes go to a temp
 * file in the same folder (mode 0600, named after the host's pid: one writer per host), and the temp file is
 * renamed over the old one. A reader therefore sees the old or the new config, never a mix or an empty file.
 *
 * <p>The host writes only what it owns. Beside the file it keeps a note, {@code .<name>.owner}, holding the
 * checksum (CRC-32C) and size of what it wrote last — and of what it wrote before that, for a host stopped
 * between the note and the file. A file that exists without a matching note is someone else's:
 * {@link #foreignProblem()} says so before the start, and the host leaves it alone.
 *
 * <p>Nothing is forced to disk: the file is a copy, written again from the config service (or the offline
 * file) at every start, so surviving a power loss is not its job — and a sync would cost milliseconds on every
 * config change.
 */
public final class ConfigFile {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(
      PosixFilePermissions.fromString("rw-------"));
  private static final long PID = ProcessHandle.current().pid();

  private final Path path;
  private final Path note;
  /** The stamp of what this host wrote last, or null before its first write. */
  private String lastWritten;

  public ConfigFile(Path path) {
    this.path = path.toAbsolutePath().normalize();
    this.note = this.path.resolveSibling("." + this.path.getFileName() + ".owner");
  }

  public Path path() {
    return path;
  }

  /** The note that says the host wrote the file: {@code .<name>.owner} beside it. */
  public Path note() {
    return note;
  }

  /**
   * Why the host must not write the file, if it must not: it exists and the host did not write it (no note, or
   * a note of other contents), or it is not a regular file.
   *
   * @param display how the message names the file (e.g. relative to the project's root)
   */
  public Optional<String> foreignProblem(String display) {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(path)) {
      return Optional.of(display + ": exists and is not a file; the host writes the Python service's config "
          + "(CONFIG_FILE) there: remove it, or set APP_PYTHON_CONFIG_PATH to another file");
    }
    try {
      if (notedStamps().contains(stamp(Files.readAllBytes(path)))) {
        return Optional.empty();
      }
    } catch (IOException e) {
      // unreadable: not known to be the host's
    }
    return Optional.of(display + ": exists and was not written by this host, which leaves it untouched; the host "
        + "writes the Python service's config (CONFIG_FILE) there afresh at every start: move the file away, or "
        + "set APP_PYTHON_CONFIG_PATH to another file");
  }

  /** Replaces the file's content with {@code content}, its note first. */
  public void write(byte[] content) throws IOException {
    Files.createDirectories(path.getParent());
    String stamp = stamp(content);
    String before = lastWritten;
    if (before == null && Files.isRegularFile(path)) {
      before = stamp(Files.readAllBytes(path)); // the host's own (checked before the start)
    }
    replace(note, ((before == null || before.equals(stamp) ? "" : before + "\n") + stamp + "\n")
        .getBytes(StandardCharsets.UTF_8));
    replace(path, content);
    lastWritten = stamp;
  }

  private List<String> notedStamps() throws IOException {
    try {
      return Files.readAllLines(note, StandardCharsets.UTF_8).stream().map(String::strip).toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** {@code crc32c:<hex> size:<bytes>}. */
  private static String stamp(byte[] content) {
    CRC32C crc = new CRC32C();
    crc.update(content);
    return "crc32c:" + Long.toHexString(crc.getValue()) + " size:" + content.length;
  }

  /**
   * Replaces {@code file}'s content with {@code content} atomically (a temp file beside it, mode 0600, renamed
   * over it); the folder is created if need be.
   */
  static void replace(Path file, byte[] content) throws IOException {
    Path folder = file.getParent();
    Files.createDirectories(folder);
    // Not Files.createTempFile: its random names cost a SecureRandom (~10 ms) on the first spawn's path.
    Path temp = folder.resolve("." + file.getFileName() + "." + PID + ".tmp");
    Files.deleteIfExists(temp); // left over by a host killed mid-write, with whatever mode it had
    try {
      try (FileChannel channel = POSIX
          ? FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)
          : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
