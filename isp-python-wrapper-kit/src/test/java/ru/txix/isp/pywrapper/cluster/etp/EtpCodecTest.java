package ru.txix.isp.pywrapper.cluster.etp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EtpCodecTest {

  @Test
  void encodesNameAckIdAndData() {
    assertThat(EtpCodec.encode(new EtpMessage("MODULE:SEND_CONFIG_SCHEMA", 1, "{\"version\":\"1.0.0\"}")))
        .isEqualTo("MODULE:SEND_CONFIG_SCHEMA||1||{\"version\":\"1.0.0\"}");
    assertThat(EtpCodec.encode(new EtpMessage("CONFIG:SEND_CONFIG_WHEN_CONNECTED", 0, "{\"logLevel\":\"info\"}")))
        .isEqualTo("CONFIG:SEND_CONFIG_WHEN_CONNECTED||0||{\"logLevel\":\"info\"}");
  }

  @Test
  void encodesAMessageWithoutDataWithoutTheSecondDelimiter() {
    assertThat(EtpCodec.encode(new EtpMessage("__ack_SOME_EVENT", 7, ""))).isEqualTo("__ack_SOME_EVENT||7");
    assertThat(EtpCodec.encode(new EtpMessage("PING", 0, null))).isEqualTo("PING||0");
  }

  @Test
  void decodesEveryFrameShape() throws EtpFormatException {
    assertThat(EtpCodec.decode("MODULE:SEND_CONFIG_SCHEMA||1||{\"a\":1}"))
        .isEqualTo(new EtpMessage("MODULE:SEND_CONFIG_SCHEMA", 1, "{\"a\":1}"));
    assertThat(EtpCodec.decode("__ack_MODULE:SEND_CONFIG_SCHEMA||1||ok"))
        .isEqualTo(new EtpMessage("__ack_MODULE:SEND_CONFIG_SCHEMA", 1, "ok"));
    assertThat(EtpCodec.decode("__ack_SOME_EVENT||7")).isEqualTo(new EtpMessage("__ack_SOME_EVENT", 7, ""));
    assertThat(EtpCodec.decode("EVENT||0||")).isEqualTo(new EtpMessage("EVENT", 0, ""));
    assertThat(EtpCodec.decode("||0||x")).isEqualTo(new EtpMessage("", 0, "x"));
  }

  @Test
  void keepsDelimitersInsideTheData() throws EtpFormatException {
    EtpMessage message = EtpCodec.decode("EVENT||3||{\"a\":\"x||y\"}||tail");
    assertThat(message.data()).isEqualTo("{\"a\":\"x||y\"}||tail");
    assertThat(EtpCodec.encode(message)).isEqualTo("EVENT||3||{\"a\":\"x||y\"}||tail");
  }

  @Test
  void rejectsFramesWithoutAnAckIdOrWithABadOne() {
    assertThatThrownBy(() -> EtpCodec.decode("no delimiter at all"))
        .isInstanceOf(EtpFormatException.class)
        .hasMessage("expected format: <eventName>||<ackId>||<eventData>, got: no delimiter at all");
    assertThatThrownBy(() -> EtpCodec.decode("EVENT||abc||{}"))
        .hasMessage("parse ackId: invalid ackId \"abc\" in EVENT||abc||{}");
    assertThatThrownBy(() -> EtpCodec.decode("EVENT||-1||{}")).hasMessageStartingWith("parse ackId");
    assertThatThrownBy(() -> EtpCodec.decode("EVENT||||{}")).hasMessageStartingWith("parse ackId");
    assertThatThrownBy(() -> EtpCodec.decode("EVENT||9999999999999999999||{}"))
        .isInstanceOf(EtpFormatException.class).hasMessageStartingWith("parse ackId: ackId \"9999999999999999999\" out of range");
  }

  @Test
  void quotesLongFramesTruncated() {
    String frame = "x".repeat(5000);
    assertThatThrownBy(() -> EtpCodec.decode(frame)).hasMessageEndingWith("…(5000 characters)");
  }

  @Test
  void acknowledgementNamesTheEventAndKeepsTheId() {
    assertThat(new EtpMessage("MODULE:READY", 3, "{}").ack("ok"))
        .isEqualTo(new EtpMessage("__ack_MODULE:READY", 3, "ok"));
  }
}
