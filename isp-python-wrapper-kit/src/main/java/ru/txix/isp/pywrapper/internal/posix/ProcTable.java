package ru.txix.isp.pywrapper.internal.posix;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A reading of Linux's {@code /proc}: which processes exist, their group and start time, and whether one
 * carries a given environment entry. Empty on systems without {@code /proc/self/stat}.
 *
 * <p>Zombies (state {@code Z}) are reported as not alive: they hold no resources and only wait for their
 * parent (or init) to reap them.
 */
public final class ProcTable {
  private static final Path PROC = Path.of("/proc");
  private static final boolean AVAILABLE = Files.isReadable(PROC.resolve("self/stat"));

  private ProcTable() {
  }

  /** True on Linux. */
  public static boolean available() {
    return AVAILABLE;
  }

  /** One line of {@code /proc/<pid>/stat}: the fields we use. */
  public record Entry(long pid, long ppid, long pgid, char state, long startTicks) {
    public boolean alive() {
      return state != 'Z' && state != 'X' && state != 'x';
    }
  }

  /** The entry of one process, or empty if it does not exist (or this is not Linux). */
  public static Optional<Entry> read(long pid) {
    if (!AVAILABLE) {
      return Optional.empty();
    }
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      return Optional.ofNullable(parse(pid, new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every process visible now. Processes that vanish while reading are skipped. */
  public static List<Entry> all() {
    List<Entry> entries = new ArrayList<>();
    String[] names = AVAILABLE ? new File("/proc").list() : null;
    if (names == null) {
      return entries;
    }
    for (String name : names) {
      if (isPid(name)) {
        read(Long.parseLong(name)).ifPresent(entries::add);
      }
    }
    return entries;
  }

  /** The process's command line, arguments joined by spaces; empty if it is gone or unreadable. */
  public static String commandLine(long pid) {
    byte[] raw;
    try {
      raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
    } catch (IOException | RuntimeException e) {
      return "";
    }
    int end = raw.length;
    while (end > 0 && raw[end - 1] == 0) {
      end--;
    }
    return new String(raw, 0, end, StandardCharsets.UTF_8).replace('\0', ' ');
  }

  /** Live processes of group {@code pgid}. */
  public static List<Entry> group(long pgid) {
    List<Entry> members = new ArrayList<>();
    for (Entry entry : all()) {
      if (entry.pgid() == pgid && entry.alive()) {
        members.add(entry);
      }
    }
    return members;
  }

  /** True if the process's initial environment holds exactly {@code name=value}. */
  public static boolean hasEnvironmentEntry(long pid, String name, String value) {
    byte[] wanted = (name + "=" + value).getBytes(StandardCharsets.UTF_8);
    byte[] environ;
    try {
      environ = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start == wanted.length && regionEquals(environ, start, wanted)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  static Entry parse(long pid, String stat) {
    // "pid (comm) S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
    //  cstime priority nice threads itrealvalue starttime ..." — comm may hold spaces and parentheses.
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] fields = stat.substring(close + 2).split(" ");
    return new Entry(pid, Long.parseLong(fields[1]), Long.parseLong(fields[2]), fields[0].charAt(0),
        Long.parseLong(fields[19]));
  }

  private static boolean regionEquals(byte[] haystack, int offset, byte[] needle) {
    for (int i = 0; i < needle.length; i++) {
      if (haystack[offset + i] != needle[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPid(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return !name.isEmpty();
  }
}
