package ru.txix.isp.pywrapper.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A copy of the fixture Python project ({@code src/test/resources/fixture-project}) in a folder of the test's,
 * and the events its processes wrote to {@code fixture.log}.
 */
public final class PythonProject {
  /** The fixture's lines may hold Infinity (a config's 1e400, parsed by Python as a float). */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(tools.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final List<String> FILES = List.of("main.py", "pyproject.toml", "uv.lock");

  private final Path root;
  private int infraPort;

  private PythonProject(Path root) {
    this.root = root;
  }

  /** Copies the fixture project into {@code folder}. */
  public static PythonProject in(Path folder) {
    return fromResources("/fixture-project/", folder);
  }

  /**
   * A service built on the companion package ({@code src/test/resources/package-service}: {@code serve(app)} with
   * uvicorn; {@code GET /}, {@code GET /slow}), in {@code folder/service} with the package in {@code folder/python}.
   * It records "started", "ready", "slow-started", "sigterm" (with {@code slowInFlight}) and "stopped".
   */
  public static PythonProject packageService(Path folder) {
    CompanionPackage.copyInto(folder);
    return fromResources("/package-service/", folder.resolve("service"));
  }

  /** A project of the test resources ({@code resources}: its folder, with slashes) copied into {@code folder}. */
  private static PythonProject fromResources(String resources, Path folder) {
    try {
      Files.createDirectories(folder);
      for (String name : FILES) {
        try (InputStream in = PythonProject.class.getResourceAsStream(resources + name)) {
          Files.copy(in, folder.resolve(name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PythonProject(folder);
  }

  /**
   * Copies a Python project's main.py, pyproject.toml and uv.lock from {@code source} into {@code folder}. The
   * repository's examples depend on the companion package by path: {@link #copyOfExample} copies it too.
   */
  public static PythonProject copyOf(Path source, Path folder) {
    try {
      Files.createDirectories(folder);
      for (String name : FILES) {
        Files.copy(source.resolve(name), folder.resolve(name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PythonProject(folder);
  }

  /**
   * Copies the repository's {@code example} ({@code "examples/hello-service"}) into {@code folder/example}, with the
   * companion package it depends on by path in {@code folder/python}; the project's root is {@code folder/example}.
   */
  public static PythonProject copyOfExample(String example, Path folder) {
    CompanionPackage.copyInto(folder);
    return copyOf(CompanionPackage.repositoryRoot().resolve(example), folder.resolve(example));
  }

  /**
   * Writes {@code conf/config.yml} (module {@code moduleName}, child on 127.0.0.1:{@code port}, infra server on
   * {@link #infraPort()}, config service at {@code configService}) and the offline remote config
   * {@code conf/config.json}.
   */
  public PythonProject withConf(String moduleName, int port, String configService, String offlineConfig) {
    infraPort = FreePort.find();
    write("conf/config.yml", String.join("\n",
        "moduleName: " + moduleName,
        "infraServerPort: " + infraPort,
        "configServiceAddress:",
        "  ip: \"" + configService.substring(0, configService.lastIndexOf(':')) + "\"",
        "  port: \"" + configService.substring(configService.lastIndexOf(':') + 1) + "\"",
        "grpcOuterAddress: { ip: 127.0.0.1, port: " + port + " }",
        "grpcInnerAddress: { ip: 127.0.0.1, port: " + port + " }",
        ""));
    write("conf/config.json", offlineConfig);
    return this;
  }

  /** The infra server's port written by {@link #withConf}. */
  public int infraPort() {
    return infraPort;
  }

  /** Every pid the fixture recorded: Python processes and their children. */
  public List<Long> recordedPids() {
    List<Long> pids = new ArrayList<>();
    for (JsonNode started : events("started")) {
      pids.add(started.get("pid").asLong());
      started.path("children").forEach(child -> pids.add(child.asLong()));
    }
    return pids;
  }

  public Path root() {
    return root;
  }

  public Path log() {
    return root.resolve("fixture.log");
  }

  /** The host's environment plus uv on PATH and {@code FIXTURE_LOG}. */
  public Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.put("PATH", Uv.path());
    environment.put("FIXTURE_LOG", log().toString());
    environment.put("UV_PYTHON_DOWNLOADS", "never");
    return environment;
  }

  /** Every event written so far, oldest first. */
  public List<JsonNode> events() {
    if (!Files.exists(log())) {
      return List.of();
    }
    try {
      List<JsonNode> events = new ArrayList<>();
      String text = Files.readString(log(), StandardCharsets.UTF_8);
      // A line still being appended by the fixture is left for the next read.
      for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
        if (!line.isBlank()) {
          events.add(JSON.readTree(line));
        }
      }
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Events named {@code name}. */
  public List<JsonNode> events(String name) {
    return events().stream().filter(e -> e.path("event").asString().equals(name)).collect(Collectors.toList());
  }

  public List<JsonNode> events(String name, Predicate<JsonNode> filter) {
    return events(name).stream().filter(filter).collect(Collectors.toList());
  }

  public void write(String relative, String content) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
