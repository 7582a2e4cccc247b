package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Whether processes still live. A zombie counts as gone: it runs nothing and holds nothing. */
public final class ProcessChecks {
  private ProcessChecks() {
  }

  public static boolean alive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (Files.exists(Path.of("/proc/self/stat"))) {
      try {
        String text = Files.readString(stat);
        char state = text.charAt(text.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
      } catch (IOException e) {
        return false;
      }
    }
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  public static List<Long> aliveOf(Collection<Long> pids) {
    return pids.stream().filter(ProcessChecks::alive).collect(Collectors.toList());
  }
}
