package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Resident memory, threads and open file descriptors of a process, from Linux's /proc. */
public record ProcStatus(long rssKib, int threads, int fds, long anonKib) {

  public static ProcStatus of(long pid) {
    try {
      long rss = 0;
      long anon = 0;
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("RssAnon:")) {
          anon = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("\\D", ""));
        }
      }
      try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
        return new ProcStatus(rss, threads, (int) fds.count(), anon);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String rssMib() {
    return String.format("%.1f MiB", rssKib / 1024.0);
  }
}
