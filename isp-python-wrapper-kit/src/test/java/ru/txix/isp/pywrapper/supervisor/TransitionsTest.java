package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The edges the supervisor may take are one table ({@link Transitions}); the diagrams that document them — in
 * {@link SupervisorState}'s javadoc and in the README's lifecycle section — draw exactly that table, one edge per
 * line: {@code FROM[, FROM…] ──what happens──▶ TO}.
 */
class TransitionsTest {
  private static final Pattern EDGE = Pattern.compile("([A-Z]+(?:, [A-Z]+)*) ──.+?──▶ ([A-Z]+)");
  private static final Path MODULE = Path.of("").toAbsolutePath();

  @Test
  void theJavadocDiagramOfSupervisorStateDrawsTheTableTransitionEnforces() throws IOException {
    String source = Files.readString(MODULE.resolve(
        "src/main/java/ru/txix/isp/pywrapper/supervisor/SupervisorState.java"));
    String diagram = source.substring(source.indexOf("<pre>"), source.indexOf("</pre>"));

    assertThat(edges(diagram)).isEqualTo(Transitions.table());
  }

  @Test
  void theLifecycleDiagramOfTheDocumentationDrawsTheTableTransitionEnforces() throws IOException {
    List<String> diagrams = new ArrayList<>();
    for (Path page : documentation()) {
      String[] blocks = Files.readString(page).split("```");
      for (int i = 1; i < blocks.length; i += 2) { // the insides of fenced blocks
        if (EDGE.matcher(blocks[i]).find() && blocks[i].contains("IDLE")) {
          diagrams.add(blocks[i]);
        }
      }
    }

    assertThat(diagrams).as("lifecycle diagrams in README.md and docs/").hasSize(1);
    assertThat(edges(diagrams.get(0))).isEqualTo(Transitions.table());
  }

  @Test
  void transitionRefusesAnEdgeTheTableLacks() {
    assertThat(Transitions.allowed(SupervisorState.IDLE, SupervisorState.STARTING)).isTrue();
    assertThat(Transitions.allowed(SupervisorState.STOPPED, SupervisorState.STARTING)).isFalse();
    assertThat(Transitions.allowed(SupervisorState.BACKOFF, SupervisorState.BACKOFF)).isFalse();
    assertThat(Transitions.allowed(SupervisorState.STOPPING, SupervisorState.STARTING)).isFalse();
  }

  /** Every state with the states the diagram lets it go to. */
  private static Map<SupervisorState, Set<SupervisorState>> edges(String diagram) {
    Map<SupervisorState, Set<SupervisorState>> edges = new EnumMap<>(SupervisorState.class);
    for (SupervisorState state : SupervisorState.values()) {
      edges.put(state, EnumSet.noneOf(SupervisorState.class));
    }
    Matcher edge = EDGE.matcher(diagram);
    while (edge.find()) {
      for (String from : edge.group(1).split(", ")) {
        edges.get(SupervisorState.valueOf(from)).add(SupervisorState.valueOf(edge.group(2)));
      }
    }
    return edges;
  }

  private static List<Path> documentation() throws IOException {
    Path root = MODULE.getParent();
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
    if (Files.isDirectory(root.resolve("docs"))) {
      try (Stream<Path> files = Files.walk(root.resolve("docs"))) {
        files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
      }
    }
    return pages;
  }
}
