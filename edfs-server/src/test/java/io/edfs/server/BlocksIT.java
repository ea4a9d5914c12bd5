package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.MissingBlocksRequest;
import io.edfs.protocol.MissingBlocksResponse;
import io.edfs.protocol.NodeInfo;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Blocks")
class BlocksIT {
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;
  User alice;

  @BeforeAll
  static void start() throws Exception {
    server = EdfsServer.start(TestEngine.config(dir));
    client = new TestClient(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void user() {
    alice = client.signup(TestClient.uniqueName("alice"));
  }

  @Test
  @DisplayName("an uploaded block is stored under blocks/ab/cd/<hash> and no longer missing")
  void uploadAndMissing() {
    byte[] a = client.randomBytes(10_000);
    byte[] b = client.randomBytes(10_000);
    String ha = TestClient.sha256(a);
    String hb = TestClient.sha256(b);
    MissingBlocksResponse before =
        client
            .post(
                "/v1/blocks/missing", alice.token(), new MissingBlocksRequest(List.of(ha, hb, ha)))
            .as(MissingBlocksResponse.class);
    assertThat(before.missing()).containsExactly(ha, hb);
    client.upload(alice, a);
    MissingBlocksResponse after =
        client
            .post("/v1/blocks/missing", alice.token(), new MissingBlocksRequest(List.of(ha, hb)))
            .as(MissingBlocksResponse.class);
    assertThat(after.missing()).containsExactly(hb);
    Path file =
        dir.resolve("blocks").resolve(ha.substring(0, 2)).resolve(ha.substring(2, 4)).resolve(ha);
    assertThat(file).exists().hasBinaryContent(a);
    // uploading it again is fine and changes nothing, with or without Expect: 100-continue
    assertThat(client.put("/v1/blocks/" + ha, alice.token(), a).status()).isEqualTo(204);
    assertThat(
            client
                .send("PUT", "/v1/blocks/" + ha, alice.token(), a, TestClient.EXPECT_CONTINUE)
                .status())
        .isEqualTo(204);
    assertThat(client.get("/v1/account", alice.token()).status()).isEqualTo(200);
    assertThat(
            client
                .send("PUT", "/v1/blocks/" + hb, alice.token(), b, TestClient.EXPECT_CONTINUE)
                .status())
        .isEqualTo(204);
    assertThat(
            dir.resolve("blocks")
                .resolve(hb.substring(0, 2))
                .resolve(hb.substring(2, 4))
                .resolve(hb))
        .hasBinaryContent(b);
    assertThat(client.queryLong("SELECT COUNT(*) FROM blocks WHERE hash = ?", ha)).isEqualTo(1);
    assertThat(client.queryLong("SELECT refs FROM blocks WHERE hash = ?", ha)).isZero();
  }

  @Test
  @DisplayName("a body that does not match its hash is 400 hash-mismatch and leaves no file")
  void hashMismatch() throws IOException {
    long before = files(dir.resolve("blocks"));
    byte[] data = client.randomBytes(70_000);
    String wrong = TestClient.sha256(client.randomBytes(10));
    Response r = client.put("/v1/blocks/" + wrong, alice.token(), data);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.problemType()).isEqualTo("hash-mismatch");
    assertThat(files(dir.resolve("blocks"))).isEqualTo(before);
    assertThat(files(dir.resolve("blocks/.tmp"))).isZero();
    assertThat(client.queryLong("SELECT COUNT(*) FROM blocks WHERE hash = ?", wrong)).isZero();
  }

  @Test
  @DisplayName("an upload cut short by the client stores nothing")
  void truncated() throws Exception {
    byte[] data = client.randomBytes(1_000_000);
    String hash = TestClient.sha256(data);
    long before = files(dir.resolve("blocks"));
    try (SSLSocket socket = socket()) {
      OutputStream out = socket.getOutputStream();
      out.write(headers("PUT", "/v1/blocks/" + hash, data.length));
      out.write(data, 0, 100_000);
      out.flush();
      Thread.sleep(100); // let the server start streaming to tmp/
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (files(dir.resolve("blocks/.tmp")) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(files(dir.resolve("blocks/.tmp"))).isZero();
    assertThat(files(dir.resolve("blocks"))).isEqualTo(before);
    assertThat(
            client
                .post("/v1/blocks/missing", alice.token(), new MissingBlocksRequest(List.of(hash)))
                .as(MissingBlocksResponse.class)
                .missing())
        .containsExactly(hash);
  }

  @Test
  @DisplayName("a block over 16 MiB is 413 too-large; one of exactly 16 MiB is fine")
  void oversized() throws Exception {
    try (SSLSocket socket = socket()) {
      socket
          .getOutputStream()
          .write(headers("PUT", "/v1/blocks/" + "a".repeat(64), (16 << 20) + 1));
      socket.getOutputStream().flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).startsWith("HTTP/1.1 413");
    }
    Response viaClient =
        client.send(
            "PUT",
            "/v1/blocks/" + "b".repeat(64),
            alice.token(),
            new byte[(16 << 20) + 1],
            TestClient.EXPECT_CONTINUE);
    assertThat(viaClient.status()).isEqualTo(413);
    assertThat(viaClient.problemType()).isEqualTo("too-large");
    byte[] max = client.randomBytes(16 << 20);
    String hash = client.upload(alice, max);
    NodeInfo f = client.mkfile(alice, alice.home(), "big");
    CommitRequest c =
        new CommitRequest(
            java.util.UUID.randomUUID(),
            null,
            max.length,
            65536,
            List.of(new io.edfs.protocol.BlockRef(hash, max.length)));
    assertThat(client.commit(alice, f.id(), c).status()).isEqualTo(200);
    Response back =
        client.get(
            "/v1/nodes/" + f.id() + "/versions/" + c.versionId() + "/blocks/0", alice.token());
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.body()).isEqualTo(max);
  }

  @Test
  @DisplayName("a block upload needs a Content-Length and a valid hash")
  void uploadInput() throws Exception {
    try (SSLSocket socket = socket()) {
      OutputStream out = socket.getOutputStream();
      String hash = TestClient.sha256(new byte[] {1});
      out.write(
          ("PUT /v1/blocks/"
                  + hash
                  + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + alice.token()
                  + "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\u0001\r\n0\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).startsWith("HTTP/1.1 400");
    }
    Response upper =
        client.put(
            "/v1/blocks/" + TestClient.sha256(new byte[] {1}).toUpperCase(),
            alice.token(),
            new byte[] {1});
    assertThat(upper.status()).isEqualTo(400);
    Response shortHash = client.put("/v1/blocks/abc", alice.token(), new byte[] {1});
    assertThat(shortHash.status()).isEqualTo(400);
    Response anonymous =
        client.put("/v1/blocks/" + TestClient.sha256(new byte[] {1}), null, new byte[] {1});
    assertThat(anonymous.status()).isEqualTo(401);
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 10_001; i++) {
      tooMany.add("%064x".formatted(i));
    }
    Response many =
        client.post("/v1/blocks/missing", alice.token(), new MissingBlocksRequest(tooMany));
    assertThat(many.status()).isEqualTo(413);
    assertThat(many.problemType()).isEqualTo("too-large");
  }

  @Test
  @DisplayName("the blocks of a committed version read back, whole or by range")
  void readBack() {
    byte[] b0 = client.randomBytes(100_000);
    byte[] b1 = client.randomBytes(333);
    NodeInfo f = client.mkfile(alice, alice.home(), "f");
    CommitRequest c = client.commitRequest(alice, null, b0, b1);
    assertThat(client.commit(alice, f.id(), c).status()).isEqualTo(200);
    String base = "/v1/nodes/" + f.id() + "/versions/" + c.versionId() + "/blocks/";
    Response r0 = client.get(base + 0, alice.token());
    assertThat(r0.status()).isEqualTo(200);
    assertThat(r0.contentType()).isEqualTo("application/octet-stream");
    assertThat(r0.headers().firstValue("content-length")).hasValue("100000");
    assertThat(r0.body()).isEqualTo(b0);
    assertThat(client.get(base + 1, alice.token()).body()).isEqualTo(b1);
    assertThat(client.get(base + 2, alice.token()).status()).isEqualTo(404);
    assertThat(client.get(base + "x", alice.token()).status()).isEqualTo(400);

    Response ranged = client.send("GET", base + 0, alice.token(), null, "Range", "bytes=10-19");
    assertThat(ranged.status()).isEqualTo(206);
    assertThat(ranged.headers().firstValue("content-range")).hasValue("bytes 10-19/100000");
    assertThat(ranged.body()).isEqualTo(java.util.Arrays.copyOfRange(b0, 10, 20));
    Response suffix = client.send("GET", base + 0, alice.token(), null, "Range", "bytes=-5");
    assertThat(suffix.body()).isEqualTo(java.util.Arrays.copyOfRange(b0, 99_995, 100_000));

    // the version must belong to the node in the path
    NodeInfo other = client.mkfile(alice, alice.home(), "other");
    assertThat(
            client
                .get(
                    "/v1/nodes/" + other.id() + "/versions/" + c.versionId() + "/blocks/0",
                    alice.token())
                .status())
        .isEqualTo(404);
    User stranger = client.signup(TestClient.uniqueName("mallory"));
    assertThat(client.get(base + 0, stranger.token()).status()).isEqualTo(403);
  }

  private SSLSocket socket() throws IOException {
    SSLSocket s =
        (SSLSocket) client.ssl.getSocketFactory().createSocket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  private byte[] headers(String method, String path, long contentLength) {
    return (method
            + " "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + alice.token()
            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
            + contentLength
            + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static long files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
