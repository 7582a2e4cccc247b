package ru.txix.isp.pywrapper.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class SecretMaskerTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void masksEveryNonEmptyValueWhosePathNamesASecret() {
    assertThat(SecretMasker.mask(JSON.readTree("""
        {"db":{"password":"p","user":"u","PasswordHint":""},"apiToken":42,"auth":{"Credentials":{"key":"k"}},
         "secrets":["a",""],"name":"n"}""")))
        .isEqualTo(JSON.readTree("""
            {"db":{"password":"***","user":"u","PasswordHint":""},"apiToken":"***",
             "auth":{"Credentials":{"key":"***"}},"secrets":["***",""],"name":"n"}"""));
  }

  @Test
  void leavesNonObjectsAlone() {
    assertThat(SecretMasker.mask(JSON.readTree("\"password\""))).isEqualTo(JSON.readTree("\"password\""));
  }
}
