package ru.txix.isp.pywrapper.config;

/**
 * A config that cannot be used. The message is one line that names the file (or environment variable), the
 * key and the problem, e.g. {@code conf/config.yml: grpcInnerAddress.port: required key is missing}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
