package ru.txix.isp.pywrapper.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Signals by name through {@code kill(1)}, and a process's state from {@code /proc}. */
final class Signals {
  private Signals() {
  }

  /** Sends {@code SIG<name>} to {@code pid}; false if the process was gone. */
  static boolean send(String name, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return kill.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The state letter of {@code /proc/<pid>/stat} (R, S, T, Z…), or 0 when there is no such process. */
  static char state(long pid) {
    try {
      String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return text.charAt(text.lastIndexOf(')') + 2);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Alive: exists and is no zombie (a zombie runs nothing and holds nothing). */
  static boolean alive(long pid) {
    char state = state(pid);
    return state != 0 && state != 'Z' && state != 'X';
  }

  /**
   * The process {@code pid} that started at {@code startTicks} (field 22 of its stat line) is alive: a pid alone
   * may have been reused (pid_max is often 32768, and a long run spawns many processes).
   */
  static boolean alive(long pid, long startTicks) {
    try {
      String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      char state = fields[0].charAt(0);
      return state != 'Z' && state != 'X' && (startTicks < 0 || Long.parseLong(fields[19]) == startTicks);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
