package ru.txix.isp.pywrapper.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import ru.txix.isp.pywrapper.testing.ProcStatus;

/** The JVM's own floor: a hello world's wall time, and its memory and threads while it sleeps. */
final class HelloWorld {
  private static final String SOURCE = """
      public class Hello {
        public static void main(String[] args) throws Exception {
          System.out.println("hello");
          if (args.length > 0) {
            Thread.sleep(Long.parseLong(args[0]));
          }
        }
      }
      """;

  private final Path classes;

  HelloWorld(Path work) throws Exception {
    classes = Files.createDirectories(work.resolve("hello"));
    Path source = classes.resolve("Hello.java");
    Files.writeString(source, SOURCE);
    int result = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
        classes.toString(), source.toString());
    if (result != 0) {
      throw new IllegalStateException("cannot compile the hello world");
    }
  }

  /** Wall time of {@code java flags Hello}, exec to exit, in nanoseconds. */
  long wallNanos(Path java, List<String> flags) throws Exception {
    long start = System.nanoTime();
    Process process = start(java, flags, List.of());
    process.getInputStream().readAllBytes();
    process.waitFor(30, TimeUnit.SECONDS);
    return System.nanoTime() - start;
  }

  /** Memory and threads of a hello world 1.5 s into a sleep. */
  ProcStatus atRest(Path java, List<String> flags) throws Exception {
    Process process = start(java, flags, List.of("3000"));
    Thread.sleep(1500);
    ProcStatus status = ProcStatus.of(process.pid());
    process.waitFor(30, TimeUnit.SECONDS);
    return status;
  }

  private Process start(Path java, List<String> flags, List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(flags);
    command.addAll(List.of("-cp", classes.toString(), "Hello"));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
