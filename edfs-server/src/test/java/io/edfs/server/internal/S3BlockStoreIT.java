package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.tests3.S3Server;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("S3BlockStore, on a real S3 server")
class S3BlockStoreIT extends BlockStoreContract {
  static S3Server s3;
  @TempDir Path dir;
  @AutoClose final OpenedStores opened = new OpenedStores();
  String bucket;

  @BeforeAll
  static void server() throws IOException {
    s3 = S3Server.shared();
  }

  @Override
  S3BlockStore store() throws IOException {
    bucket = s3.createBucket();
    return open(s3.blockStoreUri(bucket, ""));
  }

  S3BlockStore open(String uri) throws IOException {
    return (S3BlockStore) opened.open(uri, dir);
  }

  Path spool() {
    return dir.resolve("spool");
  }

  private static long files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  @DisplayName("downloads that clients have not read yet hold no S3 connection; when every request slot is busy, the next is 'unavailable' at once, not retried")
  void busy() throws Exception {
    bucket = s3.createBucket();
    try (S3BlockStore store =
        new S3BlockStore(
            S3BlockStore.Location.parse(s3.blockStoreUri(bucket, "")),
            new Spool(spool()),
            2,
            Duration.ofMillis(300))) {
      byte[] small = bytes(1000, 1);
      byte[] large = bytes(LARGE, 2);
      String hs = put(store, small);
      String hl = put(store, large);
      List<InputStream> unread = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          unread.add(store.open(i % 2 == 0 ? hs : hl, 1));
        }
        assertThat(store.contains(hs)).isTrue();
        assertThat(unread.get(1).readAllBytes()).isEqualTo(Arrays.copyOfRange(large, 1, large.length));
      } finally {
        for (InputStream in : unread) {
          in.close();
        }
      }
      // a listing holds its request slot while its visitor runs: two of them take both slots
      CountDownLatch listing = new CountDownLatch(2);
      CountDownLatch release = new CountDownLatch(1);
      List<Thread> holders = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        holders.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        store.list(
                            b -> {
                              listing.countDown();
                              try {
                                release.await();
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                              }
                            });
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    }));
      }
      try {
        assertThat(listing.await(30, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.open(hs, 0).close())
            .isInstanceOf(BlockStoreUnavailableException.class)
            .hasMessage(
                "S3 bucket "
                    + bucket
                    + " at "
                    + s3.endpoint()
                    + ": cannot read block "
                    + hs
                    + ": all 2 S3 requests this node allows at once are busy (waited 300 ms); try again");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      } finally {
        release.countDown();
        for (Thread t : holders) {
          t.join();
        }
      }
      assertThat(read(store, hs, 0)).isEqualTo(small);
    }
  }

  @Test
  @DisplayName("keeps a block as object ab/cd/<hash> holding exactly its bytes, and nothing in the spool")
  void layout() throws Exception {
    S3BlockStore store = store();
    byte[] small = bytes(5000, 1);
    byte[] large = bytes(LARGE, 2);
    String hs = put(store, small);
    String hl = put(store, large);
    assertThat(s3.object(bucket, hs.substring(0, 2) + "/" + hs.substring(2, 4) + "/" + hs)).hasBinaryContent(small);
    assertThat(s3.object(bucket, store.key(hl))).hasBinaryContent(large);
    assertThat(s3.keys(bucket)).containsExactlyInAnyOrder(store.key(hs), store.key(hl));
    assertThatThrownBy(() -> store.put(hl, LARGE, new ByteArrayInputStream(bytes(LARGE, 3))))
        .isInstanceOf(ApiException.class);
    assertThat(files(spool())).isZero();
  }

  @Test
  @DisplayName("keeps blocks under a key prefix and lists only its own blocks there")
  void prefix() throws Exception {
    bucket = s3.createBucket();
    S3BlockStore store = open(s3.blockStoreUri(bucket, "/edfs/blocks/"));
    String hash = put(store, bytes(700, 4));
    assertThat(s3.keys(bucket)).containsExactly("edfs/blocks/" + hash.substring(0, 2) + "/" + hash.substring(2, 4) + "/" + hash);
    // other objects in the bucket, and a block of another store beside this prefix
    Files.writeString(s3.object(bucket, "README.txt"), "not a block");
    Path foreign = s3.object(bucket, "edfs/blocks/ab/cd/" + "ab" + "cd" + "0".repeat(60) + ".old");
    Files.createDirectories(foreign.getParent());
    Files.writeString(foreign, "x");
    Path misplaced = s3.object(bucket, "edfs/blocks/00/00/" + hash);
    Files.createDirectories(misplaced.getParent());
    Files.write(misplaced, bytes(700, 4));
    Path elsewhere = s3.object(bucket, "edfs/other/" + store.key(hash).substring("edfs/blocks/".length()));
    Files.createDirectories(elsewhere.getParent());
    Files.write(elsewhere, bytes(700, 4));
    assertThat(listing(store)).containsOnlyKeys(hash);
    assertThat(store.describe()).isEqualTo("S3 bucket " + bucket + " (prefix edfs/blocks/) at " + s3.endpoint());
  }

  @Test
  @DisplayName("never shows the secret key: not in describe, toString, nor an error")
  void secret() throws Exception {
    S3BlockStore store = store();
    String uri = s3.blockStoreUri(bucket, "");
    assertThat(store.describe()).doesNotContain(s3.secretKey()).contains(bucket).contains(s3.endpoint().toString());
    assertThat(store.toString()).doesNotContain(s3.secretKey());
    assertThat(store.location().toString()).doesNotContain(s3.secretKey());
    assertThatThrownBy(() -> BlockStores.open(uri.replace("s3://", "s4://"), dir))
        .hasMessageNotContaining(s3.secretKey());
    assertThatThrownBy(() -> BlockStores.open(uri + "&colour=blue", dir))
        .hasMessageNotContaining(s3.secretKey())
        .hasMessageContaining("unknown parameter 'colour'");
  }

  @Test
  @DisplayName("a missing bucket is a clear error at open, unless create-bucket=true")
  void missingBucket() throws Exception {
    String uri = s3.blockStoreUri("edfs-no-such-bucket", "");
    assertThatThrownBy(() -> open(uri))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(BlockStoreUnavailableException.class)
        .hasMessage(
            "S3 bucket edfs-no-such-bucket at "
                + s3.endpoint()
                + ": cannot list the bucket: the bucket does not exist (create it, or add"
                + " create-bucket=true to the block store URI)");
    String created = "edfs-created-" + System.nanoTime();
    S3BlockStore store = open(s3.blockStoreUri(created, "") + "&create-bucket=true");
    String hash = put(store, bytes(10, 5));
    assertThat(s3.keys(created)).containsExactly(store.key(hash));
  }

  @Test
  @DisplayName("wrong credentials are a clear error at open, naming which key is wrong and neither secret")
  void wrongCredentials() throws Exception {
    bucket = s3.createBucket();
    String good = s3.blockStoreUri(bucket, "");
    String wrongSecret = good.replace("secret-key=" + s3.secretKey(), "secret-key=not-the-secret+/x");
    assertThatThrownBy(() -> open(wrongSecret))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith(
            "cannot list the bucket: the secret key does not match the access key (check secret-key,"
                + " or AWS_SECRET_ACCESS_KEY)")
        .hasMessageNotContaining("not-the-secret");
    String wrongKey = good.replace("access-key=" + s3.accessKey(), "access-key=nobody");
    assertThatThrownBy(() -> open(wrongKey))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith(
            "cannot list the bucket: the server does not know the access key (check access-key, or"
                + " AWS_ACCESS_KEY_ID)")
        .hasMessageNotContaining(s3.secretKey());
  }

  @Test
  @DisplayName("an endpoint nobody listens on is a one-line 'unavailable' error")
  void endpointDown() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String uri = s3.blockStoreUri("edfs-x", "").replace(s3.endpoint().toString(), "http://127.0.0.1:" + port);
    long start = System.nanoTime();
    assertThatThrownBy(() -> open(uri))
        .isInstanceOf(BlockStoreUnavailableException.class)
        .hasMessageStartingWith(
            "S3 bucket edfs-x at http://127.0.0.1:" + port + ": cannot list the bucket: cannot connect to http://127.0.0.1:" + port)
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining(s3.secretKey());
    assertThat((System.nanoTime() - start) / 1_000_000).as("ms to fail").isLessThan(10_000);
  }

  @Test
  @DisplayName("without keys in the URI, uses the SDK's default credentials (here: Java system properties)")
  void defaultCredentials() throws Exception {
    bucket = s3.createBucket();
    String uri = "s3://" + bucket + "?endpoint=" + s3.endpoint();
    System.setProperty("aws.accessKeyId", s3.accessKey());
    System.setProperty("aws.secretAccessKey", s3.secretKey());
    try {
      S3BlockStore store = open(uri);
      String hash = put(store, bytes(100, 6));
      assertThat(read(store, hash, 0)).isEqualTo(bytes(100, 6));
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  @Test
  @DisplayName("a listing that fails part way throws, and a dead server fails every call as unavailable")
  void serverDies() throws Exception {
    try (S3Server own = S3Server.start()) {
      String b = own.createBucket();
      S3BlockStore store = open(own.blockStoreUri(b, ""));
      String hash = put(store, bytes(1000, 7));
      // more blocks than one page of a listing (1000), written straight into the bucket
      for (int i = 0; i < 1100; i++) {
        String h = sha256(bytes(8, 100 + i));
        Path f = own.object(b, store.key(h));
        Files.createDirectories(f.getParent());
        Files.write(f, bytes(8, 100 + i));
      }
      int[] seen = {0};
      assertThatThrownBy(
              () ->
                  store.list(
                      x -> {
                        if (seen[0]++ == 0) {
                          own.kill();
                        }
                      }))
          .isInstanceOf(BlockStoreUnavailableException.class)
          .hasMessageContaining("cannot list the bucket: cannot connect to " + own.endpoint());
      assertThat(seen[0]).isBetween(1, 1000);
      assertThatThrownBy(() -> store.put(sha256(bytes(5, 8)), 5, new ByteArrayInputStream(bytes(5, 8))))
          .isInstanceOf(BlockStoreUnavailableException.class)
          .hasMessageContaining("cannot store block ");
      assertThatThrownBy(() -> store.open(hash, 0)).isInstanceOf(BlockStoreUnavailableException.class);
      assertThatThrownBy(() -> store.contains(hash)).isInstanceOf(BlockStoreUnavailableException.class);
      assertThatThrownBy(() -> store.delete(hash)).isInstanceOf(BlockStoreUnavailableException.class);
      own.restart();
      assertThat(read(store, hash, 0)).isEqualTo(bytes(1000, 7));
      assertThat(listing(store)).hasSize(1101);
    }
  }
}
