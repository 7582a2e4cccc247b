package ru.txix.isp.pywrapper.http;

import java.util.Optional;

/** One component of {@code /internal/health}: empty when it passes, otherwise why it fails. Must be fast. */
@FunctionalInterface
public interface HealthCheck {
  Optional<String> check();
}
