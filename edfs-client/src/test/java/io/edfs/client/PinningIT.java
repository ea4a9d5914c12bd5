package io.edfs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.client.internal.Transport;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Certificate pins of a client of two nodes, on IPv4 and IPv6 addresses, through both transports
 * (metadata requests and block transfers), with the known_servers lines older versions wrote.
 */
@DisplayName("A client's certificate pins")
class PinningIT {
  static final Argon2Params FAST_KDF = new Argon2Params(8192, 1, 1);
  static final String WRONG = "00:".repeat(31) + "00";

  @TempDir Path tmp;
  final List<String> notices = new CopyOnWriteArrayList<>();
  EdfsServer a;
  EdfsServer b;

  @AfterEach
  void stop() {
    try (EdfsServer first = a;
        EdfsServer second = b) {
      // closed
    }
  }

  /** Starts nodes a and b bound to {@code address}; their URLs, a first. */
  List<URI> twoNodes(String address) throws IOException {
    a = EdfsServer.start(ServerConfig.defaults(tmp.resolve("a")).withPort(0).withBind(address));
    b = EdfsServer.start(ServerConfig.defaults(tmp.resolve("b")).withPort(0).withBind(address));
    String host = address.contains(":") ? "[" + address + "]" : address;
    return List.of(URI.create("https://" + host + ":" + a.port()), URI.create("https://" + host + ":" + b.port()));
  }

  ClientOptions options(List<URI> servers) {
    return ClientOptions.of(servers, tmp.resolve("known_servers")).withNotices(notices::add).withMinimumKdf(FAST_KDF);
  }

  /** A wrong pin for node a, under {@code spelling} of its host:port ({@code %d} the port). */
  void wrongPinForA(String spelling) throws IOException {
    Files.writeString(tmp.resolve("known_servers"), spelling.formatted(a.port()) + " " + WRONG + "\n");
  }

  @ParameterizedTest(name = "pinned as {0}")
  @ValueSource(strings = {"127.0.0.1:%d", "[::1]:%d", "::1:%d", "0:0:0:0:0:0:0:1:%d"})
  @DisplayName("stop a request at a node whose certificate changed, instead of using the next node")
  void metadataRequestStops(String spelling) throws IOException {
    List<URI> nodes = twoNodes(spelling.startsWith("127.") ? "127.0.0.1" : "::1");
    wrongPinForA(spelling);
    String canonical = spelling.startsWith("127.") ? "127.0.0.1:" + a.port() : "[::1]:" + a.port();
    try (EdfsClient client = EdfsClient.open(options(nodes))) {
      assertThatThrownBy(() -> client.signup("alice", "pw".toCharArray(), FAST_KDF))
          .isInstanceOfSatisfying(
              CertificateChangedException.class,
              e -> {
                assertThat(e.server()).isEqualTo(canonical);
                assertThat(e.pinned()).isEqualTo(WRONG);
              });
    }
    assertThat(Files.readString(tmp.resolve("known_servers")))
        .as("node b was never contacted")
        .doesNotContain(":" + b.port() + " ");
    assertThat(notices).noneMatch(n -> n.contains("using"));
  }

  @Test
  @DisplayName("stop a block transfer at an IPv6 node whose certificate changed")
  void blockTransferStops() throws IOException {
    List<URI> nodes = twoNodes("::1");
    wrongPinForA("::1:%d");
    byte[] block = new byte[1024];
    try (Transport transport = new Transport(options(nodes))) {
      assertThatThrownBy(() -> transport.putBlock("ab".repeat(32), block, block.length))
          .isInstanceOfSatisfying(
              CertificateChangedException.class, e -> assertThat(e.server()).isEqualTo("[::1]:" + a.port()));
    }
    assertThat(Files.readString(tmp.resolve("known_servers"))).doesNotContain(":" + b.port() + " ");
  }

  @Test
  @DisplayName("are kept under one spelling of an IPv6 node, whichever transport connected first")
  void oneLinePerNode() throws IOException {
    List<URI> nodes = twoNodes("::1");
    try (EdfsClient client = EdfsClient.open(options(nodes.subList(0, 1)));
        Session s = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      byte[] content = new byte[Session.BLOCK_SIZE + 1];
      s.write("/f", new ByteArrayInputStream(content), Progress.NONE);
      assertThat(s.stat("/f").size()).isEqualTo(content.length);
    }
    List<String> lines = Files.readAllLines(tmp.resolve("known_servers"));
    assertThat(lines).singleElement().asString().startsWith("[::1]:" + a.port() + " ");
  }
}
