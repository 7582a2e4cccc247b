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
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file the child reads its config from ({@code CONFIG_FILE}), replaced atomically: the bytes go to a temp
 * file in the same folder (mode 0600), are forced to disk, and the temp file is renamed over the old one. A
 * reader therefore sees the old or the new config, never a mix or an empty file.
 */
public final class ConfigFile {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

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
    Path temp = POSIX
        ? Files.createTempFile(folder, "." + path.getFileName(), ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(folder, "." + path.getFileName(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
      }
      forceFolder(folder);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Makes the rename durable; not possible (nor needed) on every platform. */
  private static void forceFolder(Path folder) {
    if (!POSIX) {
      return;
    }
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to sync a directory; the rename itself has happened.
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
