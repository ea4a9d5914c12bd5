package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Database on SQLite")
class DatabaseTest {
  @TempDir Path dir;
  Database db;

  @BeforeEach
  void open() throws Exception {
    db = Database.open(new SqliteDialect(dir.resolve("edfs.db")));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  @DisplayName("a write that throws leaves nothing behind")
  void rollback() {
    assertThatThrownBy(
            () ->
                db.write(
                    c -> {
                      lease(c, "gc");
                      throw ApiException.badRequest("changed my mind");
                    }))
        .isInstanceOf(ApiException.class);
    assertThat(leases()).isZero();
  }

  @Test
  @DisplayName("concurrent writers are serialised: none sees 'database is locked'")
  void concurrentWriters() throws Exception {
    List<Future<?>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 200; i++) {
        String name = "lease-" + i;
        futures.add(
            pool.submit(
                () ->
                    db.write(
                        c -> {
                          lease(c, name);
                          return null;
                        })));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(leases()).isEqualTo(200);
  }

  @Test
  @DisplayName("read connections refuse to write")
  void readOnlyReaders() {
    assertThatThrownBy(
            () ->
                db.read(
                    c -> {
                      lease(c, "sneaky");
                      return null;
                    }))
        .isInstanceOf(Database.StorageException.class);
  }

  @Test
  @DisplayName("builds upserts that keep or replace existing rows")
  void upsert() {
    Dialect d = db.dialect();
    assertThat(d.upsert("t", List.of("a", "b"), List.of("a"), List.of()))
        .isEqualTo("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO NOTHING");
    assertThat(d.upsert("t", List.of("a", "b"), List.of("a"), List.of("b")))
        .isEqualTo(
            "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b");
  }

  private static void lease(java.sql.Connection c, String name) throws java.sql.SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO leases (name, holder, expires_at) VALUES (?, 'me', 0)")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
  }

  private long leases() {
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
