package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A 64 KiB tmpfs for the child's config file ({@code APP_PYTHON_CONFIG_PATH}), so that a disk-full write can be
 * made real: {@link #fill()} takes every free byte, {@link #free()} gives them back. Mounting needs root (or
 * CAP_SYS_ADMIN); where {@code mount} fails, {@link #mount} says why and returns null, and the runner leaves the
 * disk-full fault out.
 */
final class Tmpfs implements AutoCloseable {
  private final Path root;
  private final Path filler;

  private Tmpfs(Path root) {
    this.root = root;
    this.filler = root.resolve("filler");
  }

  static Tmpfs mount(Path root, Journal journal) {
    try {
      Files.createDirectories(root);
      Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "chaos-config",
          root.toString()).redirectErrorStream(true).start();
      String output = new String(mount.getInputStream().readAllBytes()).strip();
      if (mount.waitFor() != 0) {
        journal.note("disk-full fault left out: cannot mount a tmpfs for the config file (needs root or "
            + "CAP_SYS_ADMIN): " + output);
        return null;
      }
      Tmpfs tmpfs = new Tmpfs(root);
      Runtime.getRuntime().addShutdownHook(new Thread(tmpfs::close, "chaos-umount"));
      return tmpfs;
    } catch (IOException e) {
      journal.note("disk-full fault left out: cannot run mount: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  Path root() {
    return root;
  }

  /** Writes a filler file until the filesystem is full; returns its size. */
  long fill() {
    long written = 0;
    byte[] block = new byte[1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
        written += block.length;
      }
    } catch (IOException e) {
      return written; // ENOSPC: full
    }
  }

  void free() {
    try {
      Files.deleteIfExists(filler);
    } catch (IOException e) {
      // gone with the mount
    }
  }

  @Override
  public synchronized void close() {
    if (!Files.isDirectory(root)) {
      return;
    }
    try {
      new ProcessBuilder("umount", "-l", root.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (IOException e) {
      // nothing mounted
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
