package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import io.edfs.tests3.S3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A server keeping its blocks in S3")
class S3BlocksIT {
  @TempDir static Path dir;
  static S3Server s3;
  static String bucket;
  static EdfsServer server;
  static TestClient client;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(); // its own: a test kills it
    bucket = s3.createBucket();
    server = EdfsServer.start(TestEngine.config(dir).withBlocks(s3.blockStoreUri(bucket, "edfs")));
    client = new TestClient(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    s3.close();
  }

  @Test
  @DisplayName("stores uploaded and inline blocks as objects in the bucket, and nothing else anywhere")
  void storesAndReads() throws Exception {
    User alice = client.signup(TestClient.uniqueName("alice"));
    List<String> before = s3.keys(bucket); // other tests' blocks
    byte[] b0 = client.randomBytes(5 << 20);
    byte[] b1 = client.randomBytes(70_000);
    NodeInfo big = client.mkfile(alice, alice.home(), "big");
    CommitRequest c = client.commitRequest(alice, null, b0, b1);
    assertThat(client.commit(alice, big.id(), c).status()).isEqualTo(200);
    byte[] small = client.randomBytes(3000);
    NodeInfo tiny = client.mkfile(alice, alice.home(), "tiny");
    CommitRequest inline =
        new CommitRequest(
            UUID.randomUUID(), null, small.length, 65536, List.of(new BlockRef(TestClient.sha256(small), small.length)), small);
    assertThat(client.commit(alice, tiny.id(), inline).status()).isEqualTo(200);

    String base = "/v1/nodes/" + big.id() + "/versions/" + c.versionId() + "/blocks/";
    assertThat(client.get(base + 0, alice.token()).body()).isEqualTo(b0);
    assertThat(client.get(base + 1, alice.token()).body()).isEqualTo(b1);
    Response ranged = client.send("GET", base + 0, alice.token(), null, "Range", "bytes=4000000-4000009");
    assertThat(ranged.status()).isEqualTo(206);
    assertThat(ranged.body()).isEqualTo(Arrays.copyOfRange(b0, 4_000_000, 4_000_010));
    assertThat(
            client.get("/v1/nodes/" + tiny.id() + "/versions/" + inline.versionId() + "/blocks/0", alice.token()).body())
        .isEqualTo(small);

    // the bucket holds exactly the blocks, each under edfs/ab/cd/<hash> with exactly its bytes
    List<String> expected = new ArrayList<>(before);
    for (byte[] block : List.of(b0, b1, small)) {
      String h = TestClient.sha256(block);
      String key = "edfs/" + h.substring(0, 2) + "/" + h.substring(2, 4) + "/" + h;
      expected.add(key);
      assertThat(s3.object(bucket, key)).hasBinaryContent(block);
    }
    assertThat(s3.keys(bucket)).containsExactlyInAnyOrderElementsOf(expected);
    // and the data folder holds no block: no blocks/ folder, an empty spool
    assertThat(dir.resolve("blocks")).doesNotExist();
    assertThat(files(dir.resolve("spool"))).isZero();
  }

  @Test
  @DisplayName("a block that does not match its hash reaches neither the bucket nor the spool")
  void mismatch() throws Exception {
    User bob = client.signup(TestClient.uniqueName("bob"));
    List<String> before = s3.keys(bucket);
    String wrong = TestClient.sha256(client.randomBytes(10));
    for (int size : new int[] {1000, 2 << 20}) {
      Response r = client.put("/v1/blocks/" + wrong, bob.token(), client.randomBytes(size));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.problemType()).isEqualTo("hash-mismatch");
    }
    assertThat(s3.keys(bucket)).isEqualTo(before);
    assertThat(files(dir.resolve("spool"))).isZero();
  }

  @Test
  @DisplayName("while S3 is down, uploads and reads are 503 unavailable; afterwards they work again")
  void s3Down() throws Exception {
    User carol = client.signup(TestClient.uniqueName("carol"));
    byte[] kept = client.randomBytes(1000);
    NodeInfo f = client.mkfile(carol, carol.home(), "f");
    CommitRequest c = client.commitRequest(carol, null, kept);
    assertThat(client.commit(carol, f.id(), c).status()).isEqualTo(200);
    String block0 = "/v1/nodes/" + f.id() + "/versions/" + c.versionId() + "/blocks/0";
    s3.kill();
    try {
      byte[] data = client.randomBytes(1000);
      Response up = client.put("/v1/blocks/" + TestClient.sha256(data), carol.token(), data);
      assertThat(up.status()).isEqualTo(503);
      assertThat(up.problemType()).isEqualTo("unavailable");
      assertThat(up.problem().detail()).isEqualTo("the block store is unavailable; try again shortly");
      assertThat(client.get(block0, carol.token()).status()).isEqualTo(503);
      // metadata does not need the block store
      assertThat(client.get("/v1/nodes/" + f.id(), carol.token()).status()).isEqualTo(200);
    } finally {
      s3.restart();
    }
    assertThat(client.get(block0, carol.token()).body()).isEqualTo(kept);
    client.upload(carol, client.randomBytes(1000));
  }

  private static long files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
