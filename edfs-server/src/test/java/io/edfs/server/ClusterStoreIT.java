package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.NodeInfo;
import io.edfs.server.TestClient.User;
import io.edfs.testdb.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One block store belongs to one installation (one metadata database): every node of a cluster
 * uses it, and no other installation does.
 */
@DisplayName("The block store of an installation")
class ClusterStoreIT {
  @TempDir Path dir;

  private ServerConfig node(String name, TestDatabase db) {
    return ServerConfig.defaults(dir.resolve(name)).withPort(0).withDatabase(db.url());
  }

  /** Gives node {@code to} the server secret and TLS identity of node {@code from}. */
  private void copyIdentity(String from, String to) throws IOException {
    Path src = dir.resolve(from);
    Path dst = dir.resolve(to);
    Files.createDirectories(dst.resolve("tls"));
    Files.copy(src.resolve("server.secret"), dst.resolve("server.secret"), StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> tls = Files.list(src.resolve("tls"))) {
      for (Path f : tls.toList()) {
        Files.copy(f, dst.resolve("tls").resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private Path sharedFolder() throws IOException {
    return Files.createDirectories(dir.resolve("shared-blocks"));
  }

  /** Signs a user up and commits a file of two blocks; returns the user. */
  private static User writeFile(EdfsServer server) {
    TestClient client = new TestClient(server);
    User alice = client.signup(TestClient.uniqueName("alice"));
    NodeInfo file = client.mkfile(alice, alice.home(), "report");
    assertThat(
            client
                .commit(alice, file.id(), client.commitRequest(alice, null, client.randomBytes(300_000), client.randomBytes(1000)))
                .status())
        .isEqualTo(200);
    return alice;
  }

  @Test
  @DisplayName("a node started on the cluster's database without its --blocks refuses to start, naming the cluster's store")
  void nodeWithoutBlocks() throws Exception {
    try (TestDatabase db = TestDatabase.create(TestEngine.engine(), dir)) {
      Path shared = sharedFolder();
      ServerConfig c1 = node("n1", db).withBlocks("file:" + shared);
      try (EdfsServer first = EdfsServer.start(c1)) {
        copyIdentity("n1", "n2");
        assertThatThrownBy(() -> EdfsServer.start(node("n2", db)).close())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("folder " + dir.resolve("n2/blocks") + " is not this cluster's block store")
            .hasMessageContaining("this database's blocks are in folder " + shared)
            .hasMessageContaining("start every node with the same --blocks");
        try (EdfsServer second = EdfsServer.start(node("n2", db).withBlocks("file:" + shared))) {
          assertThat(second.blocks()).isEqualTo(first.blocks());
        }
      }
      assertThat(Files.readString(shared.resolve(".edfs-store")).strip()).matches("[0-9a-f]{32}");
    }
  }

  @Test
  @DisplayName("a second installation (another database) on the same store refuses to start, and the first one's marker stays")
  void twoInstallations() throws Exception {
    try (TestDatabase db1 = TestDatabase.create(TestEngine.engine(), dir);
        TestDatabase db2 = TestDatabase.create(TestEngine.engine(), dir)) {
      Path shared = sharedFolder();
      try (EdfsServer a = EdfsServer.start(node("a", db1).withBlocks("file:" + shared))) {
        writeFile(a);
      }
      String marker = Files.readString(shared.resolve(".edfs-store"));
      assertThatThrownBy(() -> EdfsServer.start(node("b", db2).withBlocks("file:" + shared)).close())
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("folder " + shared + " belongs to another installation")
          .hasMessageContaining("give a new database a new, empty block store");
      assertThat(Files.readString(shared.resolve(".edfs-store"))).isEqualTo(marker);
      // the first installation still starts on it
      EdfsServer.start(node("a", db1).withBlocks("file:" + shared)).close();
    }
  }

  @Test
  @DisplayName("a new, empty database on an unmarked store that holds blocks (an installation from before markers) refuses to start")
  void unmarkedStoreOfAnotherInstallation() throws Exception {
    try (TestDatabase db1 = TestDatabase.create(TestEngine.engine(), dir);
        TestDatabase db2 = TestDatabase.create(TestEngine.engine(), dir)) {
      Path shared = sharedFolder();
      try (EdfsServer a = EdfsServer.start(node("a", db1).withBlocks("file:" + shared))) {
        writeFile(a);
      }
      // as an installation of an earlier edfs left it: blocks, no marker
      Files.delete(shared.resolve(".edfs-store"));
      assertThatThrownBy(() -> EdfsServer.start(node("b", db2).withBlocks("file:" + shared)).close())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("holds blocks but no .edfs-store marker, and this database is empty");
      assertThat(shared.resolve(".edfs-store")).doesNotExist();
    }
  }

  @Test
  @DisplayName("an explicit file: folder that does not exist (an unmounted share) is not created, and the server does not start")
  void missingFolder() throws Exception {
    Path mount = dir.resolve("mnt");
    assertThatThrownBy(() -> EdfsServer.start(ServerConfig.defaults(dir.resolve("n")).withPort(0).withBlocks("file:" + mount.resolve("blocks"))).close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the block store folder " + mount.resolve("blocks") + " does not exist (is its file system mounted?)");
    assertThat(mount).doesNotExist();
  }

  @Test
  @DisplayName("a database loaded from a dump of the installation starts on the installation's store, and serves its blocks")
  void restore() throws Exception {
    try (TestDatabase db1 = TestDatabase.create(TestEngine.engine(), dir);
        TestDatabase db2 = TestDatabase.create(TestEngine.engine(), dir)) {
      Path shared = sharedFolder();
      ServerConfig original = node("n", db1).withBlocks("file:" + shared);
      try (EdfsServer a = EdfsServer.start(original)) {
        writeFile(a);
      }
      ByteArrayOutputStream dump = new ByteArrayOutputStream();
      EdfsAdmin.dump(original, dump);
      ServerConfig restored = original.withDatabase(db2.url());
      EdfsAdmin.load(new ByteArrayInputStream(dump.toByteArray()), restored);
      try (EdfsServer b = EdfsServer.start(restored)) {
        TestClient client = new TestClient(b);
        assertThat(client.queryLong("SELECT COUNT(*) FROM blocks")).isEqualTo(2);
        assertThat(client.queryLong("SELECT COUNT(*) FROM cluster WHERE value = ?", Files.readString(shared.resolve(".edfs-store")).strip()))
            .as("the restored database took the store's installation id")
            .isEqualTo(1);
      }
    }
  }

  @Test
  @DisplayName("a mirror whose second side is replaced by a new, empty folder starts and marks it; a side of another installation is refused")
  void mirrorSides() throws Exception {
    try (TestDatabase db = TestDatabase.create(TestEngine.engine(), dir)) {
      Path a = Files.createDirectories(dir.resolve("a"));
      Path b = Files.createDirectories(dir.resolve("b"));
      Path fresh = Files.createDirectories(dir.resolve("b2"));
      try (EdfsServer s = EdfsServer.start(node("n", db).withBlocks("mirror:file:" + a + ",file:" + b))) {
        writeFile(s);
      }
      String marker = Files.readString(a.resolve(".edfs-store"));
      assertThat(Files.readString(b.resolve(".edfs-store"))).isEqualTo(marker);
      EdfsServer.start(node("n", db).withBlocks("mirror:file:" + a + ",file:" + fresh)).close();
      assertThat(Files.readString(fresh.resolve(".edfs-store"))).isEqualTo(marker);
      Files.writeString(fresh.resolve(".edfs-store"), "0123456789abcdef0123456789abcdef\n");
      assertThatThrownBy(() -> EdfsServer.start(node("n", db).withBlocks("mirror:file:" + a + ",file:" + fresh)).close())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("belong to different installations");
    }
  }
}
