package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.tests3.S3Server;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MirrorBlockStore on a folder and a bucket of a real S3 server")
class MirrorBlockStoreIT extends MirrorBlockStoreContract {
  static S3Server s3;
  @TempDir Path dir;
  @AutoClose final OpenedStores opened = new OpenedStores();

  @BeforeAll
  static void server() throws IOException {
    s3 = S3Server.shared();
  }

  @Override
  MirrorBlockStore store() throws Exception {
    return open("mirror:file:" + Files.createDirectories(dir.resolve("disk")) + "," + s3.blockStoreUri(s3.createBucket(), "blocks"));
  }

  MirrorBlockStore open(String uri) throws IOException {
    return (MirrorBlockStore) opened.open(uri, dir);
  }

  @Override
  Path copy(MirrorBlockStore store, int side, String hash) {
    if (side == 0) {
      return ((DiskBlockStore) store.first()).path(hash);
    }
    S3BlockStore bucket = (S3BlockStore) store.second();
    return s3.object(bucket.location().bucket(), bucket.key(hash));
  }

  @Test
  @DisplayName("with the S3 server down, puts fail naming it, reads of blocks on the folder go on, and all is well once it is back")
  void s3Down() throws Exception {
    try (S3Server own = S3Server.start()) {
      String bucket = own.createBucket();
      MirrorBlockStore store = open("mirror:file:" + Files.createDirectories(dir.resolve("disk")) + "," + own.blockStoreUri(bucket, ""));
      byte[] before = bytes(LARGE, 1);
      String hb = put(store, before);
      own.kill();
      byte[] during = bytes(2000, 2);
      String hd = sha256(during);
      assertThatThrownBy(() -> store.put(hd, during.length, new ByteArrayInputStream(during)))
          .isInstanceOf(BlockStoreUnavailableException.class)
          .hasMessageStartingWith(
              "block " + hd + " is not stored on both sides of the mirror: folder " + dir.resolve("disk") + ": stored; S3 bucket " + bucket)
          .hasMessageContaining("cannot store block " + hd + ": cannot connect to " + own.endpoint())
          .hasMessageNotContaining(own.secretKey());
      assertThat(read(store, hb, 0)).isEqualTo(before);
      assertThat(read(store, hb, 100)).hasSize(LARGE - 100);
      // a mirror opens with one side down, so that reads go on
      MirrorBlockStore reopened = open("mirror:file:" + Files.createDirectories(dir.resolve("disk")) + "," + own.blockStoreUri(bucket, ""));
      assertThat(read(reopened, hb, 0)).isEqualTo(before);
      own.restart();
      store.put(hd, during.length, new ByteArrayInputStream(during));
      assertThat(own.object(bucket, ((S3BlockStore) store.second()).key(hd))).hasBinaryContent(during);
      assertThat(store.repair(true)).isEqualTo(new MirrorBlockStore.Repair(2, 0, 0, 0, List.of()));
    }
  }

  @Test
  @DisplayName("does not open when both sides are unreachable, or a side is misconfigured")
  void cannotOpen() throws Exception {
    String wrong = s3.blockStoreUri("edfs-no-such-bucket", "");
    assertThatThrownBy(() -> open("mirror:file:" + Files.createDirectories(dir.resolve("disk")) + "," + wrong))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the bucket does not exist");
    String down1 = s3.blockStoreUri("edfs-a", "").replace(s3.endpoint().toString(), "http://127.0.0.1:" + freePort());
    String down2 = s3.blockStoreUri("edfs-b", "").replace(s3.endpoint().toString(), "http://127.0.0.1:" + freePort());
    assertThatThrownBy(() -> open("mirror:" + down1 + "," + down2))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("neither side of the mirror can be reached: S3 bucket edfs-b at http://127.0.0.1:")
        .hasMessageNotContaining(s3.secretKey());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
