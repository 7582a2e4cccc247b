package ru.txix.isp.pywrapper.internal.config;

import java.util.List;
import java.util.stream.Collectors;

/** What became of a remote config handed to a {@link RemoteConfigSink}. */
public sealed interface Verdict {
  /** The answer for every accepted config. */
  Verdict ACCEPTED = new Accepted();

  /** The config is valid and on its way to the Python service. */
  record Accepted() implements Verdict {
  }

  /**
   * The config is not used (the service keeps the one it has); each problem names the field and says why — a
   * document that is no JSON object is one problem about the whole document ({@code field} empty).
   */
  record Rejected(List<Problem> problems) implements Verdict {
    public Rejected {
      problems = List.copyOf(problems);
      if (problems.isEmpty()) {
        throw new IllegalArgumentException("a rejection needs a problem");
      }
    }

    /** The problems in one line, {@code "; "} between them. */
    public String reason() {
      return problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
    }
  }
}
