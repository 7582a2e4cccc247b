package ru.txix.isp.pywrapper.supervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ru.txix.isp.pywrapper.internal.net.BindingAddress;
import ru.txix.isp.pywrapper.internal.time.Scheduler.Cancellable;
import ru.txix.isp.pywrapper.internal.time.Scheduler;

/**
 * Readiness when the host holds the listening socket ({@code python.socket: inherit}) and the child sends no
 * notification. A TCP connect cannot tell — the kernel accepts into the backlog whether anyone serves or not —
 * so the child counts as ready when, as far as {@code /proc} tells, a process of its group other than
 * {@code uv} holds the socket and waits on it: an epoll instance of that process watches the socket's
 * descriptor ({@code /proc/<pid>/fdinfo}: asyncio, uvicorn), or one of its threads sits in {@code accept},
 * {@code poll}, {@code select} or {@code epoll_wait} ({@code /proc/<pid>/task/<tid>/syscall}: the standard
 * library's servers). It is a heuristic: {@code python.readiness: notify} is exact. Linux only.
 */
final class InheritedSocketReadinessProbe implements ReadinessProbe {
  private static final Pattern TARGET_FD = Pattern.compile("^tfd:\\s+(\\d+)\\s", Pattern.MULTILINE);
  /** Waiting system calls, by architecture. */
  private static final Set<Integer> WAITING = waitingSyscalls();

  private final Scheduler scheduler;
  private final Duration interval;
  private final ListeningSocket socket;

  /** {@code socket}: the host's listening socket, found in {@code /proc} by its inode. */
  public InheritedSocketReadinessProbe(Scheduler scheduler, Duration interval, ListeningSocket socket) {
    this.scheduler = scheduler;
    this.interval = interval;
    this.socket = socket;
  }

  @Override
  public Cancellable awaitReady(ChildProcess child, long generation, BindingAddress binding, Runnable onReady) {
    return PollUntil.start(scheduler, interval, () -> ready(child), onReady);
  }

  private boolean ready(ChildProcess child) {
    for (long pid : child.memberPids()) {
      if (pid == child.pid()) {
        continue; // uv holds fd 3 too, but never serves it
      }
      OptionalInt fd = descriptorOf(pid);
      if (fd.isPresent() && (epollWatches(pid, fd.getAsInt()) || waiting(pid))) {
        return true;
      }
    }
    return false;
  }

  private OptionalInt descriptorOf(long pid) {
    String link = "socket:[" + socket.inode() + "]";
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(link)) {
            return OptionalInt.of(Integer.parseInt(fd.getFileName().toString()));
          }
        } catch (IOException | RuntimeException e) {
          // closed meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return OptionalInt.empty();
  }

  private static boolean epollWatches(long pid, int fd) {
    try (DirectoryStream<Path> infos = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
      for (Path info : infos) {
        String text;
        try {
          text = Files.readString(info, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
          continue;
        }
        Matcher target = TARGET_FD.matcher(text);
        while (target.find()) {
          if (Integer.parseInt(target.group(1)) == fd) {
            return true;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  private static boolean waiting(long pid) {
    if (WAITING.isEmpty()) {
      return false;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String syscall = Files.readString(task.resolve("syscall"), StandardCharsets.US_ASCII).strip();
          int space = syscall.indexOf(' ');
          if (space > 0 && WAITING.contains(Integer.parseInt(syscall.substring(0, space)))) {
            return true;
          }
        } catch (IOException | RuntimeException e) {
          // not readable here, or a running thread ("running")
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  private static Set<Integer> waitingSyscalls() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      // poll, select, accept, epoll_wait, pselect6, ppoll, epoll_pwait, accept4, epoll_pwait2
      return Set.of(7, 23, 43, 232, 270, 271, 281, 288, 441);
    }
    if (arch.equals("aarch64")) {
      // epoll_pwait, pselect6, ppoll, accept, accept4, epoll_pwait2
      return Set.of(22, 72, 73, 202, 242, 441);
    }
    return Set.of();
  }
}
