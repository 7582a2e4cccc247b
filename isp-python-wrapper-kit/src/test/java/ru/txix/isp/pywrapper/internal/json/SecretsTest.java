package ru.txix.isp.pywrapper.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class SecretsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void masksEveryNonEmptyValueWhosePathNamesASecret() {
    assertThat(Secrets.mask(JSON.readTree("""
        {"db":{"password":"p","user":"u","PasswordHint":""},"apiToken":42,"auth":{"Credentials":{"key":"k"}},
         "secrets":["a",""],"name":"n"}""")))
        .isEqualTo(JSON.readTree("""
            {"db":{"password":"***","user":"u","PasswordHint":""},"apiToken":"***",
             "auth":{"Credentials":{"key":"***"}},"secrets":["***",""],"name":"n"}"""));
  }

  @Test
  void leavesNonObjectsAlone() {
    assertThat(Secrets.mask(JSON.readTree("\"password\""))).isEqualTo(JSON.readTree("\"password\""));
  }
}
