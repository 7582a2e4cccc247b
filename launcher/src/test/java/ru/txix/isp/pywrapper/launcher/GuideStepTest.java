package ru.txix.isp.pywrapper.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuideStepTest {
  @Test
  void eachMarkerTakesTheBlockAfterItWithItsKindAndPath() {
    List<GuideStep> steps = GuideStep.parse("""
        Intro, with a block before the guide:
        ```sh
        make run
        ```
        <!-- guide: run -->
        ```sh
        cd my-service
        ```
        <!-- guide: file conf/config.json -->
        <!-- another comment -->

        ```json
        {"a": 1}
        ```
        <!-- guide: host -->
        ```sh
        isp-python-wrapper
        ```
        <!-- guide: check -->
        ```sh
        curl -s localhost:9020/   # → {"a":…}
        ```
        <!-- guide: stop -->
        After the guide:
        ```sh
        docker build .
        ```
        """);

    assertThat(steps).extracting(GuideStep::kind).containsExactly(GuideStep.Kind.RUN, GuideStep.Kind.FILE,
        GuideStep.Kind.HOST, GuideStep.Kind.CHECK, GuideStep.Kind.STOP);
    assertThat(steps.get(0).text()).isEqualTo("cd my-service\n");
    assertThat(steps.get(1).argument()).isEqualTo("conf/config.json");
    assertThat(steps.get(1).text()).isEqualTo("{\"a\": 1}\n");
    assertThat(steps.get(3).shown()).containsExactly("{\"a\":…}");
  }

  @Test
  void aBlockInsideTheGuideWithoutAMarkerIsAnError() {
    assertThatThrownBy(() -> GuideStep.parse("""
        <!-- guide: run -->
        ```sh
        true
        ```
        ```sh
        echo a step no test runs
        ```
        <!-- guide: stop -->
        """)).hasMessageContaining("without a `<!-- guide: … -->` marker").hasMessageContaining("[5]");
  }

  @Test
  void aMarkerWithoutItsBlockOrWithAWrongArgumentIsAnError() {
    assertThatThrownBy(() -> GuideStep.parse("<!-- guide: run -->\nsome text\n```sh\ntrue\n```\n"))
        .hasMessageContaining("README.md:1").hasMessageContaining("not followed by a code block");
    assertThatThrownBy(() -> GuideStep.parse("<!-- guide: file -->\n```sh\ntrue\n```\n"))
        .hasMessageContaining("needs the file's path");
    assertThatThrownBy(() -> GuideStep.parse("<!-- guide: runn -->\n```sh\ntrue\n```\n"))
        .hasMessageContaining("unknown guide step `runn`");
  }

  @Test
  void theOutputMustShowEveryShownTextInOrderWithAnEllipsisForAnything() {
    GuideStep step = new GuideStep(GuideStep.Kind.CHECK, "", """
        curl -s a   # → {"greeting":"Hello","auth":[…]}
        curl -s b   # → 200
        """, 1);

    assertThat(step.isShownBy("{\"greeting\":\"Hello\",\"auth\":[\"10.0.0.7:9011\"]}200\n")).isTrue();
    assertThat(step.isShownBy("{\"greeting\":\"Hello\",\"auth\":[]}200")).isTrue();
    assertThat(step.isShownBy("200{\"greeting\":\"Hello\",\"auth\":[]}")).isFalse();
    assertThat(step.isShownBy("{\"greeting\":\"Hi\",\"auth\":[]}200")).isFalse();
  }

  @Test
  void theReadmesGuideParsesAndEndsWithTheHostStopped() throws IOException {
    List<GuideStep> steps = GuideStep.parse(Files.readString(Path.of("../README.md")));

    assertThat(steps).isNotEmpty();
    assertThat(steps.get(steps.size() - 1).kind()).isEqualTo(GuideStep.Kind.STOP);
    assertThat(steps).filteredOn(step -> step.kind() == GuideStep.Kind.HOST).hasSize(2);
  }
}
