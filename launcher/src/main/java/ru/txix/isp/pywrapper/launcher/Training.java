package ru.txix.isp.pywrapper.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ru.txix.isp.pywrapper.ModuleSpec;
import ru.txix.isp.pywrapper.PythonWrapper;
import ru.txix.isp.pywrapper.WrapperOptions;
import sun.misc.Signal;

/**
 * {@code --train}: one representative run of the host, for the JVM to record the classes it loads — the class
 * list a static class-data archive is dumped from (JDK 17–24: {@code -XX:DumpLoadedClassList}, then
 * {@code -Xshare:dump}) or an AOT cache (JDK 25: {@code -XX:AOTCacheOutput}) — and to copy JNA's native library
 * into the script's folder for it — see the {@code isp-python-wrapper} start script, which runs it with
 * {@code --create-cache}.
 *
 * <p>The module of the project the script runs in (its {@code conf/} copied; ports, mode and {@code uv} set by
 * environment overrides), or where there is none, one of its own (a schema file, endpoints, a required module),
 * is hosted in a temporary folder with a stand-in for {@code uv} ({@code sleep}: no uv or Python needed, so {@code make build} can do this) from its
 * start to its first spawn and the infra server, then shut down with SIGTERM. No more than that on purpose: the
 * archive is mapped (and relocated, page by page) into every host, so each class in it costs memory and
 * start-up time; what comes later (config changes, metrics) loads when first used, off the spawn path.
 */
final class Training {
  private static final Pattern STARTS = Pattern.compile("\"starts\":(\\d+)");

  private Training() {
  }

  /**
   * Trains on the module in {@code project} (its {@code conf/}) if it has a {@code conf/config.yml}, else on a
   * module of its own; returns the host's exit code.
   */
  static int run(Path project) throws Exception {
    Path dir = temporaryDirectory();
    try {
      int port = freePort();
      int infraPort = freePort();
      Path fakeUv = dir.resolve("fake-uv");
      Files.writeString(fakeUv, "#!/bin/sh\nexec sleep 60\n");
      if (!fakeUv.toFile().setExecutable(true)) {
        throw new IOException("cannot make " + fakeUv + " executable");
      }
      Path conf = project.resolve("conf");
      if (Files.isRegularFile(conf.resolve("config.yml"))) {
        copyModule(conf, dir.resolve("conf"));
      } else {
        ownModule(dir);
      }
      write(dir, "main.py", "# never run: the training's uv is a stand-in\n");
      write(dir, "pyproject.toml", "[project]\nname = \"training\"\nversion = \"0.0.0\"\n");
      write(dir, "uv.lock", "version = 1\n");
      Map<String, String> environment = new HashMap<>(System.getenv());
      environment.put("CLUSTER_MODE", "offline");
      environment.put("LOG_FORMAT", "json");
      environment.put("remoteConfigPath", dir.resolve("conf/config.json").toString());
      environment.put("grpcInnerAddress.ip", "127.0.0.1");
      environment.put("grpcInnerAddress.port", Integer.toString(port));
      environment.put("infraServerPort", Integer.toString(infraPort));
      environment.put("python.uv", fakeUv.toString());
      WrapperOptions options = WrapperOptions.builder().workingDirectory(dir).environment(environment).build();

      CompletableFuture<Integer> host = CompletableFuture.supplyAsync(
          () -> PythonWrapper.execute(ModuleSpec.fromFiles(dir).options(options).build()));
      awaitStarts(infraPort, 1, host);
      Signal.raise(new Signal("TERM"));
      return host.get(30, TimeUnit.SECONDS);
    } finally {
      delete(dir.toFile());
    }
  }

  /**
   * A new folder of the user's own in the temporary directory. Not {@link Files#createTempDirectory}: its random
   * name seeds a {@code SecureRandom}, and the security providers' ~80 classes, which no start of the host
   * loads, would end up in the archive — mapped, and so resident, in every host.
   */
  private static Path temporaryDirectory() throws IOException {
    Path parent = Path.of(System.getProperty("java.io.tmpdir"));
    FileAttribute<?>[] ownerOnly = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
        : new FileAttribute<?>[0];
    for (int attempt = 0; ; attempt++) {
      Path dir = parent.resolve("isp-python-wrapper-training-" + ProcessHandle.current().pid() + "-"
          + Long.toHexString(System.nanoTime()));
      try {
        return Files.createDirectory(dir, ownerOnly);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 9) {
          throw e;
        }
      }
    }
  }

  /**
   * Deletes {@code file} and, for a folder, what it holds, not following links (not through {@code Files.walk},
   * whose classes would end up in the archive too).
   */
  private static void delete(File file) {
    File[] children = Files.isSymbolicLink(file.toPath()) ? null : file.listFiles();
    if (children != null) {
      for (File child : children) {
        delete(child);
      }
    }
    file.delete();
  }

  /**
   * The project's {@code conf/} files; offline mode needs a remote config, which is the project's offline one,
   * else its default one, else an empty object.
   */
  private static void copyModule(Path conf, Path target) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(conf)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
    Path offline = target.resolve("config.json");
    if (!Files.exists(offline)) {
      Path fallback = target.resolve("default_remote_config.json");
      Files.writeString(offline, Files.exists(fallback) ? Files.readString(fallback) : "{}");
    }
  }

  /** A module like most: a schema file, endpoints, a required module. */
  private static void ownModule(Path dir) throws IOException {
    write(dir, "conf/config.yml", "moduleName: training\n"
        + "grpcInnerAddress: {ip: 127.0.0.1, port: 9000}\n"
        + "grpcOuterAddress: {ip: 127.0.0.1, port: 9000}\n");
    write(dir, "conf/config.json", "{\"greeting\":\"hello\",\"ratio\":1.50,\"logLevel\":\"info\"}\n");
    write(dir, "conf/remote_config_schema.json", "{\"type\":\"object\",\"properties\":{"
        + "\"greeting\":{\"type\":\"string\",\"minLength\":1},\"ratio\":{\"type\":\"number\"}}}\n");
    write(dir, "conf/module.yml", "version: 1.0.0\nrequiredModules: [isp-auth-service]\n"
        + "endpoints:\n  - {path: /api/training/x, httpMethod: POST}\n");
  }

  /** Waits until the supervisor has started the child {@code starts} times. */
  private static void awaitStarts(int infraPort, int starts, CompletableFuture<Integer> host) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (host.isDone()) {
        throw new IllegalStateException("the host ended early with exit code " + host.get());
      }
      try {
        Matcher matcher = STARTS.matcher(get(infraPort, "/internal/supervisor"));
        if (matcher.find() && Integer.parseInt(matcher.group(1)) >= starts) {
          return;
        }
      } catch (IOException e) {
        // the infra server is not up yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the host did not start its child " + starts + " time(s) within 30 s");
  }

  /** A plain HTTP/1.0 GET (not the JDK's clients: their classes would end up in the archive for nothing). */
  private static String get(int port, String path) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
