package io.edfs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.client.EdfsException.Reason;
import io.edfs.client.internal.Transport;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.LossyProxy;
import io.edfs.testing.TestCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a cluster: three in-process nodes on one MariaDB database and one block folder.
 * Nodes are stopped under the client's feet; a proxy in front of a node loses the answer to a
 * request the node did, and goes down.
 */
@DisplayName("A client of several server nodes")
class FailoverIT {
  static final Argon2Params FAST_KDF = new Argon2Params(8192, 1, 1);
  static final int MIB = 1 << 20;

  @TempDir static Path shared;
  static TestDatabase db;
  static TestCluster cluster;

  @TempDir Path tmp;
  final List<String> notices = new CopyOnWriteArrayList<>();
  final Random random = new Random(7);

  @BeforeAll
  static void startCluster() throws IOException {
    db = TestDatabase.create(Engine.MARIADB, shared);
    cluster = TestCluster.start(3, db.url());
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  @BeforeEach
  void everyNodeUp() throws IOException {
    for (int i = 0; i < cluster.size(); i++) {
      cluster.start(i);
    }
  }

  EdfsClient client(List<URI> servers) {
    return EdfsClient.open(
        ClientOptions.of(servers, tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF).withNotices(notices::add));
  }

  Session newUser(EdfsClient client) {
    return client.signup("u" + UUID.randomUUID().toString().substring(0, 8), "pw".toCharArray(), FAST_KDF);
  }

  static String switched(URI from, URI to) {
    return from + " is not answering; using " + to;
  }

  /** A switch from a node that refused, or that answered 503 while stopping. */
  static boolean switchedFrom(String notice, URI from, URI to) {
    return notice.equals(switched(from, to))
        || notice.startsWith(from + " is unavailable (HTTP 503") && notice.endsWith("; using " + to);
  }

  byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static Entry write(Session s, String path, byte[] content) {
    return s.write(path, new ByteArrayInputStream(content), Progress.NONE);
  }

  static byte[] read(Session s, String path) {
    var out = new ByteArrayOutputStream();
    s.read(path, out, Progress.NONE);
    return out.toByteArray();
  }

  static List<String> names(List<Entry> entries) {
    return entries.stream().map(Entry::name).toList();
  }

  @Test
  @DisplayName("keeps working when the node it logged in through stops, and comes back to a node that is up again")
  void nodeStops() throws IOException {
    try (EdfsClient client = client(cluster.uris());
        Session s = newUser(client)) {
      byte[] big = bytes(9 * MIB + 123);
      write(s, "/notes.txt", "v1".getBytes(StandardCharsets.UTF_8));
      s.mkdir("/docs", false);
      write(s, "/docs/big.bin", big);

      cluster.stop(0);
      assertThat(names(s.list("/"))).containsExactly("docs", "notes.txt");
      assertThat(read(s, "/docs/big.bin")).isEqualTo(big);
      Entry v2 = write(s, "/notes.txt", "v2".getBytes(StandardCharsets.UTF_8));
      assertThat(v2.version()).isEqualTo(2);
      s.move("/notes.txt", "/docs/notes.txt");
      s.delete("/docs/big.bin", false);
      assertThat(names(s.list("/docs"))).containsExactly("notes.txt");
      assertThat(notices).containsOnlyOnce(switched(cluster.uri(0), cluster.uri(1)));

      // node 0 is back; 1 and 2 stop: the client, on 1, goes round to 0 again
      cluster.start(0);
      cluster.stop(1);
      cluster.stop(2);
      assertThat(read(s, "/docs/notes.txt")).isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
      assertThat(notices).containsOnlyOnce(switched(cluster.uri(1), cluster.uri(0)));
      assertThat(notices.stream().filter(n -> n.contains("using"))).hasSize(2);
    }
  }

  @Test
  @DisplayName("moves an upload and a download to another node mid-transfer")
  void midTransfer() {
    try (EdfsClient client = EdfsClient.open(
            ClientOptions.of(cluster.uris(), tmp.resolve("known_servers"))
                .withMinimumKdf(FAST_KDF)
                .withNotices(notices::add)
                .withParallelism(2));
        Session s = newUser(client)) {
      byte[] big = bytes(20 * MIB + 5);
      s.write("/big.bin", new ByteArrayInputStream(big), stopAfter(6 * MIB, 0));
      assertThat(notices).anyMatch(n -> switchedFrom(n, cluster.uri(0), cluster.uri(1)));

      var out = new ByteArrayOutputStream();
      s.read("/big.bin", out, stopAfter(6 * MIB, 1));
      assertThat(out.toByteArray()).isEqualTo(big);
      assertThat(notices).anyMatch(n -> switchedFrom(n, cluster.uri(1), cluster.uri(2)));
    }
  }

  /** Progress that stops node {@code node} once {@code bytes} went through. */
  static Progress stopAfter(long bytes, int node) {
    AtomicLong seen = new AtomicLong();
    return n -> {
      if (seen.addAndGet(n) >= bytes && cluster.isRunning(node)) {
        cluster.stop(node);
      }
    };
  }

  @Test
  @DisplayName("when no node answers, fails as unavailable naming every node, within the failover budget")
  void allDown() throws IOException {
    List<URI> dead = List.of(deadPort(), deadPort());
    try (EdfsClient client =
        EdfsClient.open(
            ClientOptions.of(dead, tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF).withFailover(Duration.ofSeconds(1)))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> client.login("alice", "pw".toCharArray()))
          .isInstanceOfSatisfying(
              EdfsException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                assertThat(e.getMessage())
                    .startsWith("no server answered (")
                    .contains(dead.get(0) + " (connection refused)", dead.get(1) + " (connection refused)");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
    }
  }

  static URI deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("https://127.0.0.1:" + s.getLocalPort());
    }
  }

  @Test
  @DisplayName("stops at a node whose certificate changed, instead of quietly using the next one")
  void pinMismatch() throws IOException {
    URI second = cluster.uri(1);
    String secondHostPort = second.getHost() + ":" + second.getPort();
    Path known = tmp.resolve("known_servers");
    Files.writeString(known, secondHostPort + " " + "00:".repeat(31) + "00\n");
    try (EdfsClient client = client(List.of(deadPort(), second, cluster.uri(2)))) {
      assertThatThrownBy(() -> client.login("alice", "pw".toCharArray()))
          .isInstanceOfSatisfying(
              CertificateChangedException.class, e -> assertThat(e.server()).isEqualTo(secondHostPort));
    }
    assertThat(Files.readString(known)).as("the third node was never contacted").doesNotContain(":" + cluster.uri(2).getPort());
    assertThat(notices).noneMatch(n -> n.contains("using"));
  }

  @Test
  @DisplayName("moves on from a node whose TLS handshake fails for another reason than its pin")
  void brokenHandshake() throws Exception {
    try (ServerSocket notTls = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!notTls.isClosed()) {
                  try (var c = notTls.accept()) {
                    c.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      URI broken = URI.create("https://127.0.0.1:" + notTls.getLocalPort());
      try (EdfsClient client = client(List.of(broken, cluster.uri(1)));
          Session s = newUser(client)) {
        assertThat(s.list("/")).isEmpty();
      }
      assertThat(notices).contains(switched(broken, cluster.uri(1)));
    }
  }

  @Nested
  @DisplayName("after a node did a request and its answer was lost")
  class LostAnswers {
    LossyProxy proxy;

    @BeforeEach
    void proxyInFrontOfNode0() throws IOException {
      proxy = LossyProxy.start(cluster.dataDir(0), cluster.fingerprint(), cluster.uri(0).getPort());
    }

    @AfterEach
    void closeProxy() {
      proxy.close();
    }

    EdfsClient client() {
      return FailoverIT.this.client(List.of(proxy.uri(), cluster.uri(1)));
    }

    @Test
    @DisplayName("a commit is sent again by its version id and applied once")
    void lostCommit() throws Exception {
      try (EdfsClient client = client();
          Session s = newUser(client)) {
        assertThat(write(s, "/journal", "v1".getBytes(StandardCharsets.UTF_8)).version()).isEqualTo(1);
        proxy.loseAnswerTo("POST /v1/nodes/[^/ ]+/versions HTTP/1.1");
        Entry e = write(s, "/journal", "v2".getBytes(StandardCharsets.UTF_8));
        assertThat(proxy.awaitLost(Duration.ofSeconds(5))).startsWith("POST /v1/nodes/");
        assertThat(e.version()).as("the version sequence after the retried commit").isEqualTo(2);
        assertThat(s.stat("/journal").version()).isEqualTo(2);
        assertThat(read(s, "/journal")).isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
        assertThat(notices).contains(switched(proxy.uri(), cluster.uri(1)));
      }
    }

    @Test
    @DisplayName("a new small file (created with its content in one request) is created once, with one version")
    void lostCreate() throws Exception {
      try (EdfsClient client = client();
          Session s = newUser(client)) {
        proxy.loseAnswerTo("POST /v1/nodes HTTP/1.1");
        Entry e = write(s, "/new.txt", "first".getBytes(StandardCharsets.UTF_8));
        assertThat(proxy.awaitLost(Duration.ofSeconds(5))).startsWith("POST /v1/nodes ");
        assertThat(e.version()).isEqualTo(1);
        assertThat(s.stat("/new.txt").version()).isEqualTo(1);
        assertThat(read(s, "/new.txt")).isEqualTo("first".getBytes(StandardCharsets.UTF_8));
      }
    }

    @Test
    @DisplayName("a delete answered 'not found' when sent again is done; a first 'not found' stays an error")
    void lostDelete() throws Exception {
      try (EdfsClient client = client();
          Session s = newUser(client)) {
        write(s, "/old.txt", "x".getBytes(StandardCharsets.UTF_8));
        proxy.loseAnswerTo("DELETE /v1/nodes/[^/ ]+ HTTP/1.1");
        s.delete("/old.txt", false);
        assertThat(proxy.awaitLost(Duration.ofSeconds(5))).startsWith("DELETE /v1/nodes/");
        assertThatThrownBy(() -> s.stat("/old.txt"))
            .isInstanceOfSatisfying(EdfsException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));

        try (Transport direct = new Transport(ClientOptions.of(cluster.uri(1), tmp.resolve("known_servers")))) {
          Transport authorized = direct.withToken(s.data().token());
          assertThatThrownBy(() -> authorized.remove("DELETE", "/v1/nodes/" + UUID.randomUUID(), Reason.NOT_FOUND))
              .isInstanceOfSatisfying(EdfsException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
        }
      }
    }

    @Test
    @DisplayName("a signup is recognised as done by logging in as the account it created; a name taken by another stays taken")
    void lostSignup() throws Exception {
      String name = "u" + UUID.randomUUID().toString().substring(0, 8);
      try (EdfsClient client = client()) {
        proxy.loseAnswerTo("POST /v1/signup HTTP/1.1");
        try (Session s = client.signup(name, "pw".toCharArray(), FAST_KDF)) {
          assertThat(proxy.awaitLost(Duration.ofSeconds(5))).startsWith("POST /v1/signup");
          assertThat(s.username()).isEqualTo(name);
          write(s, "/hello.txt", "hi".getBytes(StandardCharsets.UTF_8));
        }
        try (Session again = client.login(name, "pw".toCharArray())) {
          assertThat(read(again, "/hello.txt")).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> client.signup(name, "other".toCharArray(), FAST_KDF))
            .isInstanceOfSatisfying(EdfsException.class, e -> assertThat(e.reason()).isEqualTo(Reason.USER_EXISTS));
      }
    }
  }
}
