package ru.txix.isp.pywrapper.internal.posix;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
  public record Entry(long pid, long ppid, long pgid, long session, char state, long startTicks) {
    public boolean alive() {
      return state != 'Z' && state != 'X' && state != 'x';
    }
  }

  /** The entry of one process, or empty if it does not exist (or this is not Linux). */
  public static Optional<Entry> read(long pid) {
    if (!AVAILABLE) {
      return Optional.empty();
    }
    return Optional.ofNullable(readStat(pid, new byte[STAT_BUFFER]));
  }

  /** Big enough for a stat line: 52 numbers and a command name of at most 64 bytes. */
  private static final int STAT_BUFFER = 1024;

  /** Reads and parses {@code /proc/<pid>/stat} into {@code buffer}; null if gone or unreadable. */
  private static Entry readStat(long pid, byte[] buffer) {
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      int length = 0;
      int read;
      while (length < buffer.length && (read = in.read(buffer, length, buffer.length - length)) > 0) {
        length += read;
      }
      return parse(pid, buffer, length);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Every process visible now. Processes that vanish while reading are skipped. (It reads bytes into one
   * buffer and parses them in place; most of the cost is the kernel's, writing each stat line: 20–50 µs per
   * process, a few milliseconds on a machine running a hundred.)
   */
  public static List<Entry> all() {
    List<Entry> entries = new ArrayList<>();
    byte[] buffer = new byte[STAT_BUFFER];
    for (long pid : pids()) {
      Entry entry = readStat(pid, buffer);
      if (entry != null) {
        entries.add(entry);
      }
    }
    return entries;
  }

  /**
   * The pids listed now, without reading anything about them: one directory listing, some tens of
   * microseconds, where reading every process's stat line costs a few milliseconds on a machine running
   * a hundred processes.
   */
  public static long[] pids() {
    String[] names = AVAILABLE ? new File("/proc").list() : null;
    if (names == null) {
      return new long[0];
    }
    long[] pids = new long[names.length];
    int count = 0;
    for (String name : names) {
      if (isPid(name)) {
        pids[count++] = Long.parseLong(name);
      }
    }
    return Arrays.copyOf(pids, count);
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

  /** The value of {@code name} in the process's initial environment; empty if unset, gone or unreadable. */
  public static Optional<String> environment(long pid, String name) {
    byte[] prefix = (name + "=").getBytes(StandardCharsets.UTF_8);
    byte[] environ;
    try {
      environ = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start >= prefix.length && regionEquals(environ, start, prefix)) {
          return Optional.of(new String(environ, start + prefix.length, i - start - prefix.length,
              StandardCharsets.UTF_8));
        }
        start = i + 1;
      }
    }
    return Optional.empty();
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
    byte[] bytes = stat.getBytes(StandardCharsets.ISO_8859_1);
    return parse(pid, bytes, bytes.length);
  }

  /**
   * Parses a stat line: "pid (comm) S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
   * stime cutime cstime priority nice threads itrealvalue starttime ..." — comm may hold spaces and parentheses,
   * so the fields are counted from the last ')'.
   */
  static Entry parse(long pid, byte[] stat, int length) {
    int close = -1;
    for (int i = length - 1; i >= 0; i--) {
      if (stat[i] == ')') {
        close = i;
        break;
      }
    }
    if (close < 0 || close + 2 >= length) {
      return null;
    }
    char state = (char) stat[close + 2];
    long ppid = 0;
    long pgid = 0;
    long session = 0;
    int field = 1; // counted from the state (0): 1 ppid, 2 pgrp, 3 session, ..., 19 starttime
    long value = 0;
    for (int i = close + 4; i <= length; i++) {
      byte b = i < length ? stat[i] : (byte) ' ';
      if (b == ' ' || b == '\n') {
        switch (field) {
          case 1 -> ppid = value;
          case 2 -> pgid = value;
          case 3 -> session = value;
          case 19 -> {
            return new Entry(pid, ppid, pgid, session, state, value);
          }
          default -> { }
        }
        field++;
        value = 0;
      } else if (b >= '0' && b <= '9') {
        value = value * 10 + (b - '0');
      } else if (b != '-') {
        return null;
      }
    }
    return null;
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
