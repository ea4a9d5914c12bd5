package io.edfs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.edfs.crypto.v1.Argon2Params;
import io.edfs.protocol.Mode;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.LossyProxy;
import io.edfs.testing.TestCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose answer was lost is sent again by failover later (the failover budget is 30 s);
 * a change another device made in between must stay (the request's idempotency key).
 * Node 0 does the request behind a LossyProxy that loses its answer and goes down; node 1 is
 * stopped, so the retry waits in failover rounds; meanwhile another session of the same user
 * changes the same thing through node 0 directly; then node 1 comes back and takes the retry.
 */
@DisplayName("A request sent again after a lost answer, arriving after another change")
class LostAnswerRaceIT {
  static final Argon2Params FAST = new Argon2Params(8192, 1, 1);
  @TempDir static Path shared;
  static TestDatabase db;
  static TestCluster cluster;
  @TempDir Path tmp;
  LossyProxy proxy;
  final List<String> notices = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    db = TestDatabase.create(Engine.MARIADB, shared);
    cluster = TestCluster.start(2, db.url());
  }

  @AfterAll
  static void down() {
    if (cluster != null) {
      cluster.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void proxy() throws Exception {
    cluster.start(1);
    proxy = LossyProxy.start(cluster.dataDir(0), cluster.fingerprint(), cluster.uri(0).getPort());
  }

  @AfterEach
  void closeProxy() throws Exception {
    proxy.close();
    cluster.start(1);
  }

  EdfsClient client(List<URI> servers, String known) {
    return EdfsClient.open(
        ClientOptions.of(servers, tmp.resolve(known)).withMinimumKdf(FAST).withNotices(notices::add));
  }

  /** Runs {@code op} on device A; once its answer is lost, {@code meanwhile} on device B; then node 1 returns. */
  Throwable race(Runnable op, String lose, Runnable meanwhile) throws Exception {
    cluster.stop(1);
    proxy.loseAnswerTo(lose);
    CompletableFuture<Void> a = CompletableFuture.runAsync(op);
    proxy.awaitLost(Duration.ofSeconds(10));
    meanwhile.run();
    cluster.start(1);
    return catchThrowable(() -> a.get(60, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("a move sent again does not undo a rename another device made in between")
  void lostMove() throws Exception {
    String user = "m" + System.nanoTime();
    try (EdfsClient deviceA = client(List.of(proxy.uri(), cluster.uri(1)), "ka");
        EdfsClient deviceB = client(List.of(cluster.uri(0)), "kb");
        Session a = deviceA.signup(user, "pw".toCharArray(), FAST)) {
      a.mkdir("/f1", false);
      a.mkdir("/f2", false);
      a.write("/doc.txt", new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), Progress.NONE);
      try (Session b = deviceB.login(user, "pw".toCharArray())) {
        Throwable t =
            race(
                () -> a.move("/doc.txt", "/f1/doc.txt"),
                "PATCH /v1/nodes/[^/ ]+ HTTP/1.1",
                () -> b.move("/f1/doc.txt", "/f2/final.txt")); // acknowledged to B
        System.out.println("LostAnswerRaceIT move: device A's move ended with " + t + "; /f1: " + names(b.list("/f1"))
            + ", /f2: " + names(b.list("/f2")) + "; notices " + notices);
        assertThat(names(b.list("/f2"))).as("device B's acknowledged rename").containsExactly("final.txt");
        assertThat(t).as("device A's move, applied before its answer was lost").isNull();
      }
    }
  }

  @Test
  @DisplayName("a share sent again does not undo a revoke the owner made in between")
  void lostShare() throws Exception {
    String owner = "o" + System.nanoTime();
    String grantee = "g" + System.nanoTime();
    try (EdfsClient deviceA = client(List.of(proxy.uri(), cluster.uri(1)), "ka");
        EdfsClient deviceB = client(List.of(cluster.uri(0)), "kb");
        Session g = deviceB.signup(grantee, "pw".toCharArray(), FAST);
        Session a = deviceA.signup(owner, "pw".toCharArray(), FAST)) {
      a.write("/secret.txt", new ByteArrayInputStream("payroll".getBytes(StandardCharsets.UTF_8)), Progress.NONE);
      try (Session b = deviceB.login(owner, "pw".toCharArray())) {
        Throwable t =
            race(
                () -> a.share("/secret.txt", grantee, Mode.R),
                "PUT /v1/nodes/[^/ ]+/grants/[^/ ]+ HTTP/1.1",
                () -> b.unshare("/secret.txt", grantee)); // the owner revokes: acknowledged
        Throwable read = catchThrowable(() -> g.read("@" + owner + "/secret.txt", new ByteArrayOutputStream(), Progress.NONE));
        System.out.println("LostAnswerRaceIT share: device A's share ended with " + t
            + "; the grantee's read after the owner's acknowledged revoke: " + (read == null ? "succeeded" : read));
        assertThat(read).as("the grantee reads after the owner's revoke").isNotNull();
        assertThat(t).as("device A's share, applied before its answer was lost").isNull();
      }
    }
  }

  static List<String> names(List<Entry> entries) {
    return entries.stream().map(Entry::name).toList();
  }
}
