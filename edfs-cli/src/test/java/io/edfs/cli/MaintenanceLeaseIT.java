package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes share one MariaDB database and one block folder: exactly one holds the
 * maintenance lease and collects garbage; when it is killed outright (SIGKILL), another takes over
 * once the lease has expired.
 */
@Tag("alone") // measures waits: run by an execution of its own, with nothing beside it
@DisplayName("The cluster's background worker")
class MaintenanceLeaseIT {
  private static final Duration TTL = Duration.ofSeconds(4);
  /** The longest hand-over: the lease runs out, and the next node asks a third of a TTL later. */
  private static final Duration HAND_OVER = TTL.plus(TTL.dividedBy(3));
  /** Slack for three JVMs on a loaded machine. */
  private static final Duration SLACK = Duration.ofSeconds(3);

  @TempDir Path tmp;

  private final Map<ServerProcess, String> names = new IdentityHashMap<>();

  @Test
  @DisplayName("runs on one node at a time, and moves to another within a lease's lifetime of a kill")
  void handOver() throws Exception {
    try (TestDatabase db = TestDatabase.create(Engine.MARIADB, tmp.resolve("db"))) {
      Path config = tmp.resolve("edfs.properties");
      Files.writeString(config, "gc-interval=1s\nlease-ttl=" + TTL.toSeconds() + "s\n");
      List<String> args =
          List.of("--db", db.url(), "--blocks", "file:" + Files.createDirectories(tmp.resolve("blocks")), "--config", config.toString());
      List<ServerProcess> nodes = new ArrayList<>();
      try {
        nodes.add(start("node1", args));
        // the others need the first one's secret
        for (String n : List.of("node2", "node3")) {
          Files.createDirectories(tmp.resolve(n));
          Files.copy(tmp.resolve("node1/server.secret"), tmp.resolve(n + "/server.secret"));
        }
        var two = CompletableFuture.supplyAsync(() -> start("node2", args));
        var three = CompletableFuture.supplyAsync(() -> start("node3", args));
        nodes.add(two.get(120, TimeUnit.SECONDS));
        nodes.add(three.get(120, TimeUnit.SECONDS));

        // one holder, the same one over several renewals
        ServerProcess holder = awaitHolder(db, nodes, Optional.empty());
        long watchUntil = System.nanoTime() + TTL.toNanos();
        while (System.nanoTime() - watchUntil < 0) {
          assertThat(holder(db, nodes)).as("the lease's holder").contains(holder);
          Thread.sleep(100);
        }
        awaitLog(holder, "took over the lease (lifetime " + TTL.toSeconds() + " s, work every 1 s)");
        awaitLog(holder, "gc: ");
        for (ServerProcess n : nodes) {
          assertThat(log(n).contains("took over the lease"))
              .as("%s took over the lease", n.url())
              .isEqualTo(n == holder);
          assertThat(log(n).contains("gc: ")).as("%s collected garbage", n.url()).isEqualTo(n == holder);
        }

        long killed = System.nanoTime();
        holder.kill();
        ServerProcess next = awaitHolder(db, nodes, Optional.of(holder));
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf(
            Locale.ROOT,
            "maintenance lease: %s took over %d ms after %s was killed (lease %d s, renewed every %d ms)%n",
            next.url(),
            took.toMillis(),
            holder.url(),
            TTL.toSeconds(),
            TTL.dividedBy(3).toMillis());
        assertThat(took).as("hand-over after a kill").isLessThan(HAND_OVER.plus(SLACK));
        awaitLog(next, "took over the lease");
        awaitLog(next, "gc: ");
        for (ServerProcess n : nodes) {
          if (n != next && n != holder) {
            assertThat(log(n)).as("the third node's log").doesNotContain("took over the lease");
          }
        }
      } finally {
        for (ServerProcess n : nodes) {
          n.close();
        }
      }
    }
  }

  private ServerProcess start(String name, List<String> args) {
    try {
      ServerProcess p = ServerProcess.start(tmp.resolve(name), List.of("-Xmx256m"), args, Map.of());
      synchronized (names) {
        names.put(p, name);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a live node other than {@code not} holds the lease; returns it. */
  private static ServerProcess awaitHolder(
      TestDatabase db, List<ServerProcess> nodes, Optional<ServerProcess> not) throws Exception {
    long end = System.nanoTime() + HAND_OVER.plus(SLACK).plus(SLACK).toNanos();
    while (true) {
      Optional<ServerProcess> h = holder(db, nodes);
      if (h.isPresent() && !h.equals(not) && h.get().isAlive()) {
        return h.get();
      }
      assertThat(System.nanoTime() - end).as("waiting for a holder of the lease").isNegative();
      Thread.sleep(25);
    }
  }

  /** The node whose unexpired lease the database holds, if any (by the database's clock). */
  private static Optional<ServerProcess> holder(TestDatabase db, List<ServerProcess> nodes)
      throws Exception {
    try (Connection c = DriverManager.getConnection(db.url());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT holder FROM leases WHERE name = 'maintenance' AND expires_at >="
                    + " (TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(3)) DIV 1000)");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      String holder = rs.getString(1);
      List<ServerProcess> matching =
          nodes.stream().filter(n -> holder.endsWith(":" + URI.create(n.url()).getPort())).toList();
      assertThat(matching).as("nodes matching holder %s", holder).hasSize(1);
      return Optional.of(matching.get(0));
    }
  }

  private void awaitLog(ServerProcess node, String text) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!log(node).contains(text)) {
      assertThat(System.nanoTime() - end).as("waiting for '%s' in %s's log", text, node.url()).isNegative();
      Thread.sleep(50);
    }
  }

  /** What the node has logged so far (ServerProcess writes it next to the data folder). */
  private String log(ServerProcess node) throws Exception {
    return Files.readString(tmp.resolve("server-" + names.get(node) + ".log"));
  }
}
