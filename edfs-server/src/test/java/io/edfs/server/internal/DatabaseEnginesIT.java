package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Database, on every engine")
class DatabaseEnginesIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  @DisplayName("a write that throws leaves nothing behind")
  void rollback(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir);
        Database db = open(t)) {
      assertThatThrownBy(
              () ->
                  db.write(
                      c -> {
                        lease(c, "gc", "me");
                        throw ApiException.badRequest("changed my mind");
                      }))
          .isInstanceOf(ApiException.class);
      assertThat(leases(db)).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  @DisplayName("200 concurrent writers all land")
  void concurrentWriters(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir);
        Database db = open(t)) {
      List<Future<?>> futures = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 200; i++) {
          String name = "lease-" + i;
          futures.add(pool.submit(() -> db.write(c -> lease(c, name, "me"))));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      }
      assertThat(leases(db)).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  @DisplayName("read transactions cannot write")
  void readOnly(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir);
        Database db = open(t)) {
      assertThatThrownBy(() -> db.read(c -> lease(c, "sneaky", "me")))
          .isInstanceOf(Database.StorageException.class);
      assertThat(leases(db)).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Engine.class,
      names = {"MARIADB", "POSTGRES"})
  @DisplayName("a real deadlock between two writers is resolved by running the loser again")
  void deadlockRetried(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir);
        Database db = open(t)) {
      db.write(c -> lease(c, "a", "nobody") + lease(c, "b", "nobody"));
      // each takes one row, waits until the other has its row, then wants the other's row
      CyclicBarrier bothLocked = new CyclicBarrier(2);
      AtomicInteger runs = new AtomicInteger();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<?> one = pool.submit(() -> db.write(c -> crossUpdate(c, "a", "b", "one", bothLocked, runs)));
        Future<?> two = pool.submit(() -> db.write(c -> crossUpdate(c, "b", "a", "two", bothLocked, runs)));
        one.get(60, TimeUnit.SECONDS);
        two.get(60, TimeUnit.SECONDS);
      }
      assertThat(db.conflictRetries()).as("the deadlock victim ran again").isGreaterThanOrEqualTo(1);
      assertThat(runs.get()).isGreaterThanOrEqualTo(3);
      // both transactions took effect, whole: each wrote both rows, and one of them ran last
      List<String> holders = holders(db);
      assertThat(holders).hasSize(2);
      assertThat(holders.get(0)).isEqualTo(holders.get(1)).isIn("one", "two");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Engine.class,
      names = {"MARIADB", "POSTGRES"})
  @DisplayName("a transaction that keeps conflicting is given up after a bounded number of attempts")
  void boundedRetries(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir);
        Database db = open(t)) {
      AtomicInteger attempts = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  db.write(
                      c -> {
                        attempts.incrementAndGet();
                        lease(c, "x", "me");
                        // what both engines report for a deadlock victim
                        throw new SQLException("Deadlock found", "40001", 1213);
                      }))
          .isInstanceOfSatisfying(
              Database.StorageException.class,
              e -> assertThat(e.kind()).isEqualTo(Database.StorageException.Kind.CONFLICT))
          .hasMessageContaining("after " + Database.MAX_ATTEMPTS + " attempts");
      assertThat(attempts.get()).isEqualTo(Database.MAX_ATTEMPTS);
      assertThat(leases(db)).as("every attempt rolled back").isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  @DisplayName("a schema newer than this server knows is refused, and left as it is")
  void newerSchema(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir)) {
      try (Database db = open(t)) {
        db.write(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO flyway_schema_history (installed_rank, version, description,"
                          + " type, script, checksum, installed_by, installed_on, execution_time,"
                          + " success) VALUES (99, '99', 'from the future', 'SQL', 'V99__f.sql', 0,"
                          + " 'test', CURRENT_TIMESTAMP, 1, ?)")) {
                ps.setBoolean(1, true);
                return ps.executeUpdate();
              }
            });
      }
      assertThatThrownBy(() -> open(t))
          .isInstanceOf(Database.SchemaException.class)
          .hasMessageContaining("schema version 99, newer than this edfs knows (up to 4)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Engine.class,
      names = {"MARIADB", "POSTGRES"})
  @DisplayName("when the server drops every connection (a restart), the next transactions just work")
  void droppedConnections(Engine engine) throws Exception {
    try (TestDatabase t = TestDatabase.create(engine, dir);
        Database db = open(t)) {
      // fill both pools with open connections
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String name = "before-" + i;
          futures.add(pool.submit(() -> db.write(c -> lease(c, name, "me"))));
          futures.add(pool.submit(() -> leases(db)));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      }
      int killed = dropConnections(t);
      assertThat(killed).as("connections dropped").isGreaterThanOrEqualTo(2);
      // at once, before the pool's idle check could notice
      for (int i = 0; i < 10; i++) {
        String name = "after-" + i;
        db.write(c -> lease(c, name, "me"));
      }
      assertThat(leases(db)).isEqualTo(50);
    }
  }

  /** Ends every session on {@code t}'s database, as a server restart would; returns how many. */
  private static int dropConnections(TestDatabase t) throws SQLException {
    try (Connection admin = java.sql.DriverManager.getConnection(t.url())) {
      List<String> kills = new ArrayList<>();
      if (t.engine() == Engine.POSTGRES) {
        try (PreparedStatement ps =
                admin.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE datname = ? AND pid <> pg_backend_pid()");
            ) {
          ps.setString(1, t.name());
          int n = 0;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              n++;
            }
          }
          return n;
        }
      }
      try (PreparedStatement ps =
          admin.prepareStatement(
              "SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()")) {
        ps.setString(1, t.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            kills.add("KILL CONNECTION " + rs.getLong(1));
          }
        }
      }
      for (String kill : kills) {
        try (var st = admin.createStatement()) {
          st.execute(kill);
        }
      }
      return kills.size();
    }
  }

  private static Database open(TestDatabase t) throws SQLException {
    return Database.open(Dialects.forUrl(t.url(), null));
  }

  private static int crossUpdate(
      Connection c, String first, String second, String me, CyclicBarrier barrier, AtomicInteger runs)
      throws SQLException {
    boolean firstRun = runs.incrementAndGet() <= 2;
    setHolder(c, first, me);
    if (firstRun) {
      try {
        barrier.await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    setHolder(c, second, me);
    return 1;
  }

  private static void setHolder(Connection c, String name, String holder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET holder = ? WHERE name = ?")) {
      ps.setString(1, holder);
      ps.setString(2, name);
      ps.executeUpdate();
    }
  }

  private static int lease(Connection c, String name, String holder) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, 0)")) {
      ps.setString(1, name);
      ps.setString(2, holder);
      return ps.executeUpdate();
    }
  }

  private static List<String> holders(Database db) {
    return db.read(
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement("SELECT holder FROM leases ORDER BY name");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  private static long leases(Database db) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM leases");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }
}
