package io.edfs.server.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite: one database file in WAL mode with {@code synchronous=FULL} (a commit is on disk when it
 * returns) and foreign keys on. SQLite has one writer at a time, so writes are serialised
 * in-process; readers work on their own connections, on WAL snapshots, without waiting.
 */
final class SqliteDialect implements Dialect {
  private static final int BUSY_TIMEOUT_MS = 30_000;
  private final SQLiteDataSource dataSource;
  private final Path file;

  SqliteDialect(Path databaseFile) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    this.file = databaseFile.toAbsolutePath();
    this.dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + databaseFile.toAbsolutePath());
  }

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public String migrations() {
    return "classpath:db/migration/sqlite";
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public String describe() {
    return "SQLite database " + file;
  }

  @Override
  public String readConnectionInitSql() {
    // a bug that writes on a read connection would bypass the writer lock: refuse it
    return "PRAGMA query_only = 1";
  }

  @Override
  public int poolSize() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  @Override
  public boolean singleWriter() {
    return true;
  }

  // Transactions are driven with SQL on autocommit connections: the driver's own
  // setAutoCommit(false) would open a transaction eagerly and keep one open between uses.
  @Override
  public void beginWrite(Connection c) throws SQLException {
    execute(c, "BEGIN IMMEDIATE");
  }

  @Override
  public void beginRead(Connection c) throws SQLException {
    execute(c, "BEGIN DEFERRED");
  }

  @Override
  public void commit(Connection c) throws SQLException {
    execute(c, "COMMIT");
  }

  @Override
  public void rollback(Connection c) throws SQLException {
    execute(c, "ROLLBACK");
  }

  @Override
  public String lockRows() {
    return ""; // writes are serialised in-process
  }

  @Override
  public String nowMillis() {
    // julianday works on every SQLite; unixepoch('subsec') needs 3.42
    return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }

  @Override
  public boolean isConflict(SQLException e) {
    return false; // one writer: transactions never conflict
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    if (e instanceof SQLiteException se) {
      SQLiteErrorCode code = se.getResultCode();
      return code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
          || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
    }
    return false;
  }

  @Override
  public String upsert(
      String table, List<String> columns, List<String> keys, List<String> updates) {
    return Dialect.insertOnConflict(table, columns, keys, updates);
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
