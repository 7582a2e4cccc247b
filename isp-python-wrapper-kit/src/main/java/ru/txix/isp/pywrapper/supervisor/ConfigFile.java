package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The file the child reads its config from ({@code CONFIG_FILE}), replaced atomically: the bytes go to a temp
 * file in the same folder (mode 0600, named after the host's pid: one writer per host), and the temp file is
 * renamed over the old one. A reader therefore sees the old or the new config, never a mix or an empty file.
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

  public ConfigFile(Path path) {
    this.path = path.toAbsolutePath().normalize();
  }

  public Path path() {
    return path;
  }

  /** Replaces the file's content with {@code content}. */
  public void write(byte[] content) throws IOException {
    Path folder = path.getParent();
    Files.createDirectories(folder);
    // Not Files.createTempFile: its random names cost a SecureRandom (~10 ms) on the first spawn's path.
    Path temp = folder.resolve("." + path.getFileName() + "." + PID + ".tmp");
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
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
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
