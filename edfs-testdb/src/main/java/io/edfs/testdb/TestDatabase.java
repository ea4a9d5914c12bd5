package io.edfs.testdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database for one test class or run, on one of the engines edfs keeps metadata in:
 * a new SQLite file, or a new database created on the machine's MariaDB (127.0.0.1:3306) or
 * PostgreSQL (127.0.0.1:5432) server and dropped on {@link #close}.
 *
 * <p>When a server does not answer, {@link #create} skips the test with a one-line reason, unless
 * the run requires every engine ({@code CI} or {@code EDFS_REQUIRE_DATABASES} set in the
 * environment): then it fails. The admin connections can be changed with {@code
 * EDFS_TEST_MARIADB} and {@code EDFS_TEST_POSTGRES} (JDBC URLs of a server, with credentials).
 */
public final class TestDatabase implements AutoCloseable {
  /** The engines. */
  public enum Engine {
    SQLITE,
    MARIADB,
    POSTGRES;

    /** The lowercase name used in URLs, logs and test names. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String MARIADB_ADMIN =
      env("EDFS_TEST_MARIADB", "jdbc:mariadb://127.0.0.1:3306/?user=root&password=");
  private static final String POSTGRES_ADMIN =
      env("EDFS_TEST_POSTGRES", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Engine engine;
  private final String url;
  private final String name;

  private TestDatabase(Engine engine, String url, String name) {
    this.engine = engine;
    this.url = url;
    this.name = name;
  }

  /**
   * Creates a fresh database on {@code engine}; SQLite's file goes into {@code dir}. Skips the
   * calling test (or fails it, when every engine is required) if the server does not answer.
   */
  public static TestDatabase create(Engine engine, Path dir) {
    Objects.requireNonNull(engine, "engine");
    String name = "edfs_t_" + HexFormat.of().formatHex(bytes(8));
    return switch (engine) {
      case SQLITE -> {
        try {
          Files.createDirectories(dir);
        } catch (java.io.IOException e) {
          throw new IllegalStateException("cannot create " + dir, e);
        }
        yield new TestDatabase(engine, "jdbc:sqlite:" + dir.resolve(name + ".db"), name);
      }
      case MARIADB -> {
        admin(engine, MARIADB_ADMIN, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        yield new TestDatabase(engine, withDatabase(MARIADB_ADMIN, name), name);
      }
      case POSTGRES -> {
        admin(engine, POSTGRES_ADMIN, "CREATE DATABASE " + name);
        yield new TestDatabase(engine, withDatabase(POSTGRES_ADMIN, name), name);
      }
    };
  }

  /** Whether {@code engine}'s server answers (always true for SQLite). */
  public static boolean available(Engine engine) {
    try {
      switch (engine) {
        case SQLITE -> {}
        case MARIADB -> DriverManager.getConnection(MARIADB_ADMIN).close();
        case POSTGRES -> DriverManager.getConnection(POSTGRES_ADMIN).close();
      }
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** Whether this run must fail, not skip, when a database server does not answer. */
  public static boolean required() {
    return isSet("CI") || isSet("EDFS_REQUIRE_DATABASES");
  }

  public Engine engine() {
    return engine;
  }

  /** The JDBC URL of this database, with credentials, as {@code edfs server --db} takes it. */
  public String url() {
    return url;
  }

  /** The database's name (for SQLite, the file name without {@code .db}). */
  public String name() {
    return name;
  }

  /** Drops the database (SQLite's file stays in its temporary folder). */
  @Override
  public void close() {
    switch (engine) {
      case SQLITE -> {}
      case MARIADB -> admin(engine, MARIADB_ADMIN, "DROP DATABASE IF EXISTS " + name);
      case POSTGRES -> admin(engine, POSTGRES_ADMIN, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  @Override
  public String toString() {
    return engine.label() + ":" + name;
  }

  private static void admin(Engine engine, String adminUrl, String sql) {
    Connection c;
    try {
      c = DriverManager.getConnection(adminUrl);
    } catch (SQLException e) {
      String reason =
          engine.label()
              + " at "
              + hostPort(adminUrl)
              + " is not answering ("
              + firstLine(e.getMessage())
              + ")";
      if (required()) {
        throw new IllegalStateException(reason + "; this run requires every database engine", e);
      }
      Assumptions.abort(reason + "; skipped (set CI=true to make this a failure)");
      throw new AssertionError("unreachable");
    }
    try (c;
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(engine.label() + ": " + sql + " failed: " + e.getMessage(), e);
    }
  }

  /** {@code adminUrl} (a server URL, any database) pointed at database {@code name}. */
  static String withDatabase(String adminUrl, String name) {
    int scheme = adminUrl.indexOf("//");
    int slash = adminUrl.indexOf('/', scheme + 2);
    int query = adminUrl.indexOf('?');
    String server = slash < 0 ? (query < 0 ? adminUrl : adminUrl.substring(0, query)) : adminUrl.substring(0, slash);
    String params = query < 0 ? "" : adminUrl.substring(query);
    return server + "/" + name + params;
  }

  private static String hostPort(String url) {
    int scheme = url.indexOf("//");
    int end = url.indexOf('/', scheme + 2);
    return url.substring(scheme + 2, end < 0 ? url.length() : end);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static boolean isSet(String name) {
    String v = System.getenv(name);
    return v != null && !v.isBlank() && !v.equalsIgnoreCase("false") && !v.equals("0");
  }
}
