package ru.txix.isp.pywrapper.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Receives the fixture's events as UDP datagrams ({@code FIXTURE_NOTIFY}); waiting blocks, it does not poll. */
final class Inbox implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final DatagramSocket socket;
  private final List<JsonNode> unread = new ArrayList<>();

  Inbox() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** Value for {@code FIXTURE_NOTIFY}. */
  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** The first unread event named {@code name} matching {@code filter}; earlier unread events stay. */
  JsonNode await(String name, Predicate<JsonNode> filter, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Iterator<JsonNode> it = unread.iterator(); it.hasNext(); ) {
        JsonNode event = it.next();
        if (event.path("event").asString().equals(name) && filter.test(event)) {
          it.remove();
          return event;
        }
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new IllegalStateException("no " + name + " event within " + timeout);
      }
      socket.setSoTimeout((int) left);
      byte[] buffer = new byte[65536];
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      }
      unread.add(JSON.readTree(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)));
    }
  }

  void clear() {
    unread.clear();
  }

  @Override
  public void close() {
    socket.close();
  }
}
