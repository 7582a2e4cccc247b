package ru.txix.isp.pywrapper.config;

import java.util.List;

/**
 * A config that cannot be used. Each problem is one line that names the file (or environment variable), the
 * key and the problem, e.g. {@code conf/config.yml: grpcInnerAddress.port: required key is missing}; the
 * message is the problems joined by {@code "; "}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(String problem) {
    this(List.of(problem), null);
  }

  public ConfigException(String problem, Throwable cause) {
    this(List.of(problem), cause);
  }

  public ConfigException(List<String> problems) {
    this(problems, null);
  }

  private ConfigException(List<String> problems, Throwable cause) {
    super(String.join("; ", problems), cause);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs a problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one line each, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
