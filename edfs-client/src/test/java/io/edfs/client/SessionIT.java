package io.edfs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.client.EdfsException.Reason;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a real server: versions, conflicts, tampering, sessions. */
@DisplayName("A session")
class SessionIT {
  static final Argon2Params FAST_KDF = new Argon2Params(8192, 1, 1);

  @TempDir Path tmp;
  TestServer server;
  EdfsClient client;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start();
    client = EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  static void write(Session s, String path, byte[] content) {
    s.write(path, new ByteArrayInputStream(content), Progress.NONE);
  }

  static byte[] read(Session s, String path) {
    var out = new ByteArrayOutputStream();
    s.read(path, out, Progress.NONE);
    return out.toByteArray();
  }

  @Test
  @DisplayName("round-trips files of many sizes, across block and segment boundaries")
  void roundTrips() {
    try (Session s = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      Random rnd = new Random(1);
      for (int size : new int[] {0, 1, 65_535, 65_536 * 3, Session.BLOCK_SIZE - 1, Session.BLOCK_SIZE, Session.BLOCK_SIZE * 2 + 17}) {
        byte[] data = new byte[size];
        rnd.nextBytes(data);
        write(s, "/f" + size, data);
        assertThat(read(s, "/f" + size)).as("size %d", size).isEqualTo(data);
        assertThat(s.stat("/f" + size).size()).isEqualTo(size);
      }
    }
  }

  @Test
  @DisplayName("rename never enters a folder of the new name, moveInto never renames, writeNew never overwrites")
  void explicitRenameMoveAndCreate() {
    try (Session s = client.signup("renamer", "pw".toCharArray(), FAST_KDF)) {
      s.mkdir("/Reports", false);
      write(s, "/a.txt", "a".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> s.rename("/a.txt", "Reports"))
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.NAME_EXISTS);
      assertThatThrownBy(() -> s.rename("/a.txt", "x/y")).extracting(e -> ((EdfsException) e).reason()).isEqualTo(Reason.INVALID_NAME);
      assertThat(s.rename("/a.txt", "b.txt").name()).isEqualTo("b.txt");
      assertThatThrownBy(() -> s.moveInto("/b.txt", "/Missing")).extracting(e -> ((EdfsException) e).reason()).isEqualTo(Reason.NOT_FOUND);
      assertThat(s.list("/")).extracting(Entry::name).containsExactly("Reports", "b.txt");
      s.moveInto("/b.txt", "/Reports");
      assertThat(s.list("/Reports")).extracting(Entry::name).containsExactly("b.txt");

      assertThatThrownBy(() -> s.writeNew("/Reports/b.txt", new ByteArrayInputStream("other".getBytes(StandardCharsets.UTF_8)), Progress.NONE))
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.NAME_EXISTS);
      byte[] big = new byte[Session.BLOCK_SIZE + 5];
      s.writeNew("/Reports/big.bin", new ByteArrayInputStream(big), Progress.NONE);
      assertThatThrownBy(() -> s.writeNew("/Reports/big.bin", new ByteArrayInputStream(new byte[Session.BLOCK_SIZE + 9]), Progress.NONE))
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.NAME_EXISTS);
      assertThat(new String(read(s, "/Reports/b.txt"), StandardCharsets.UTF_8)).isEqualTo("a");
      assertThat(s.stat("/Reports/big.bin").size()).isEqualTo(big.length);
      assertThat(s.stat("/Reports/big.bin").version()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("refuses a stale writer with a version conflict and keeps the other's write")
  void staleWriterGetsConflict() {
    try (Session a = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      write(a, "/doc.txt", "v1".getBytes(StandardCharsets.UTF_8));
      Entry seen = a.stat("/doc.txt");
      write(a, "/doc.txt", "v2 by someone else".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> a.write("/doc.txt", new ByteArrayInputStream("v2 stale".getBytes(StandardCharsets.UTF_8)), Progress.NONE, seen))
          .isInstanceOf(VersionConflictException.class)
          .satisfies(e -> assertThat(((VersionConflictException) e).currentVersionId()).isPresent());
      assertThat(new String(read(a, "/doc.txt"), StandardCharsets.UTF_8)).isEqualTo("v2 by someone else");
      assertThat(a.stat("/doc.txt").version()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("detects a block changed on the server's disk")
  void detectsTamperedBlock() throws Exception {
    try (Session a = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      write(a, "/secret.bin", new byte[100_000]);
      try (Stream<Path> files = Files.walk(server.dataDir().resolve("blocks"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          try (var raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 1);
          }
        }
      }
      assertThatThrownBy(() -> read(a, "/secret.bin"))
          .isInstanceOf(EdfsException.class)
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.TAMPERED);
    }
  }

  @Test
  @DisplayName("resumes from saved session data without the password, until logout")
  void resumesUntilLogout() {
    SessionData saved;
    try (Session a = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      a.mkdir("/kept", false);
      saved = a.data();
    }
    try (Session again = client.resume(saved)) {
      assertThat(again.list("/").stream().map(Entry::name)).containsExactly("kept");
      again.logout();
    }
    try (Session stale = client.resume(saved)) {
      assertThatThrownBy(() -> stale.list("/"))
          .isInstanceOf(EdfsException.class)
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.UNAUTHENTICATED);
    }
  }

  @Test
  @DisplayName("is not resumed by a client of a server it did not log in with: its token goes nowhere else")
  void resumesOnlyWhereLoggedIn() throws Exception {
    SessionData saved;
    try (Session a = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      saved = a.data();
    }
    try (TestServer other = TestServer.start();
        EdfsClient elsewhere =
            EdfsClient.open(
                ClientOptions.of(List.of(server.uri(), other.uri()), tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF))) {
      assertThatThrownBy(() -> elsewhere.resume(saved))
          .isInstanceOfSatisfying(
              EdfsException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.UNAUTHENTICATED);
                assertThat(e.getMessage())
                    .isEqualTo("this session belongs to " + server.uri() + ", not " + other.uri() + "; log in again to use it");
              });
    }
  }

  @Test
  @DisplayName("is resumed by a client of some of its servers, however their addresses are spelled")
  void resumesOnSomeOfItsServers() {
    SessionData saved;
    try (Session a = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      a.mkdir("/kept", false);
      saved = a.data();
    }
    // a session of two nodes, the second one written as an older client may have written it
    var twoNodes =
        new SessionData(
            List.of(server.uri(), URI.create("https://[0:0:0:0:0:0:0:1]:9")),
            saved.token(),
            saved.expiresAt(),
            saved.username(),
            saved.userId(),
            saved.homeId(),
            saved.homeWrappedKey(),
            saved.privateKeys());
    var options =
        ClientOptions.of(List.of(server.uri(), URI.create("https://[::1]:9")), tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF);
    try (EdfsClient both = EdfsClient.open(options);
        Session again = both.resume(twoNodes)) {
      assertThat(again.list("/").stream().map(Entry::name)).containsExactly("kept");
    }
  }

  @Test
  @DisplayName("logs in with the password on another client and reads what was written")
  void loginReadsEverything() {
    try (Session a = client.signup("alice", "correct horse".toCharArray(), FAST_KDF)) {
      a.mkdir("/a/b/c", true);
      write(a, "/a/b/c/file.txt", "deep".getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> client.login("alice", "wrong horse".toCharArray()))
        .extracting(e -> ((EdfsException) e).reason())
        .isEqualTo(Reason.INVALID_CREDENTIALS);
    try (EdfsClient other = EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("other_known")).withMinimumKdf(FAST_KDF));
        Session a = other.login("alice", "correct horse".toCharArray())) {
      assertThat(new String(read(a, "/a/b/c/file.txt"), StandardCharsets.UTF_8)).isEqualTo("deep");
      assertThat(a.list("/a").stream().map(Entry::name).toList()).isEqualTo(List.of("b"));
    }
  }

  @Test
  @DisplayName("refuses to log in when the server asks for weaker password hashing than it accepts")
  void refusesWeakKdf() {
    client.signup("weak", "pw".toCharArray(), FAST_KDF).close();
    try (EdfsClient strict = EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("known_servers")))) {
      assertThatThrownBy(() -> strict.login("weak", "pw".toCharArray()))
          .isInstanceOf(EdfsException.class)
          .hasMessageContaining("weaker password hashing");
    }
  }

  @Test
  @DisplayName("notices a server that swaps two names, and still lists the rest of the folder")
  void detectsSwappedNames() throws Exception {
    try (Session a = client.signup("alice", "pw".toCharArray(), FAST_KDF)) {
      write(a, "/a.txt", "content of a".getBytes(StandardCharsets.UTF_8));
      write(a, "/b.txt", "content of b".getBytes(StandardCharsets.UTF_8));
      write(a, "/c.txt", "content of c".getBytes(StandardCharsets.UTF_8));
      UUID idA = a.stat("/a.txt").id();
      UUID idB = a.stat("/b.txt").id();
      try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + server.dataDir().resolve("edfs.db"));
          var st = db.createStatement()) {
        byte[] nameOfB;
        try (var rs = st.executeQuery("SELECT enc_name FROM nodes WHERE id = '" + idB + "'")) {
          rs.next();
          nameOfB = rs.getBytes(1);
        }
        st.executeUpdate("UPDATE nodes SET enc_name = X'01' WHERE id = '" + idB + "'");
        try (var ps = db.prepareStatement("UPDATE nodes SET enc_name = ? WHERE id = ?")) {
          ps.setBytes(1, nameOfB);
          ps.setString(2, idA.toString());
          ps.executeUpdate();
        }
      }
      // a's row now carries b's name: opening it as "b.txt" must fail, not show a's content
      assertThatThrownBy(() -> read(a, "/b.txt"))
          .isInstanceOf(EdfsException.class)
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.TAMPERED);
      List<String> names = a.list("/").stream().map(Entry::name).toList();
      assertThat(names).contains("c.txt").contains("<unreadable " + idA + ">").contains("<unreadable " + idB + ">");
      assertThat(new String(read(a, "/c.txt"), StandardCharsets.UTF_8)).isEqualTo("content of c");
    }
  }

  @Test
  @DisplayName("writes a small file shared for writing inside a folder shared read-only")
  void smallWriteToWritableFileInReadOnlyFolder() {
    try (Session alice = client.signup("alice", "pw".toCharArray(), FAST_KDF);
        Session bob = client.signup("bob", "pw".toCharArray(), FAST_KDF)) {
      alice.mkdir("/proj", false);
      write(alice, "/proj/doc.txt", "v1".getBytes(StandardCharsets.UTF_8));
      alice.share("/proj", "bob", io.edfs.protocol.Mode.R);
      alice.share("/proj/doc.txt", "bob", io.edfs.protocol.Mode.W);
      write(bob, "@alice/doc.txt", "small edit by bob".getBytes(StandardCharsets.UTF_8));
      write(bob, "@alice/proj/doc.txt", "small edit by bob, through the folder".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(read(alice, "/proj/doc.txt"), StandardCharsets.UTF_8)).isEqualTo("small edit by bob, through the folder");
      assertThatThrownBy(() -> write(bob, "@alice/proj/new.txt", new byte[10]))
          .extracting(e -> ((EdfsException) e).reason())
          .isEqualTo(Reason.FORBIDDEN);
    }
  }
}
