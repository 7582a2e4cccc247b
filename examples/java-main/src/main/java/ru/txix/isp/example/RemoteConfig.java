package ru.txix.isp.example;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import ru.txix.isp.pywrapper.ConfigDoc;
import ru.txix.isp.pywrapper.LogLevel;

/**
 * The remote config of examples/fastapi-service, as the config service's editors see it. The JSON schema is
 * generated from this record; every config is decoded into it and validated before the Python service gets
 * the (merged) JSON.
 */
public record RemoteConfig(
    @ConfigDoc(title = "Greeting", description = "How the service greets", defaultValue = "Hello")
    @NotBlank String greeting,
    @ConfigDoc(title = "Log level", defaultValue = "info") LogLevel logLevel,
    @ConfigDoc(title = "Database") @Valid Database database) {

  /** A nested object: inlined in the schema. */
  public record Database(
      @ConfigDoc(title = "Host") @NotBlank String host,
      @ConfigDoc(title = "Port", defaultValue = "5432") @Min(1) @Max(65535) Integer port,
      @ConfigDoc(title = "Password", description = "masked in the host's logs") String password) {
  }
}
