package io.edfs.server.internal;

import io.edfs.server.ServerConfig;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * PostgreSQL 13+: BYTEA for opaque bytes, upserts with {@code ON CONFLICT}, row locks with {@code
 * FOR NO KEY UPDATE} (which, unlike {@code FOR UPDATE}, lets other transactions insert rows that
 * reference the locked one).
 */
final class PostgresDialect extends ClientServerDialect {
  PostgresDialect(String url, String description) {
    super(dataSource(url), description);
  }

  private static PGSimpleDataSource dataSource(String url) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    try {
      ds.setURL(url);
    } catch (RuntimeException e) {
      // the driver's message repeats the URL, password and all
      throw new IllegalArgumentException("invalid PostgreSQL URL " + ServerConfig.redact(url));
    }
    if (!url.contains("tcpKeepAlive")) {
      ds.setTcpKeepAlive(true); // notice a database host that vanished from the network
    }
    return ds;
  }

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public String migrations() {
    return "classpath:db/migration/postgres";
  }

  @Override
  public String readConnectionInitSql() {
    return ""; // the driver starts read-only transactions on read-only connections
  }

  @Override
  public String lockRows() {
    return " FOR NO KEY UPDATE";
  }

  @Override
  public String nowMillis() {
    return "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)";
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return sqlState(e).equals("23505");
  }

  @Override
  public String writeConnectionInitSql() {
    return "SET lock_timeout = '"
        + LOCK_WAIT.toMillis()
        + "ms'; SET idle_in_transaction_session_timeout = '"
        + IDLE_IN_TRANSACTION.toMillis()
        + "ms'";
  }

  @Override
  public boolean isConflict(SQLException e) {
    String state = sqlState(e);
    // serialization_failure, deadlock_detected
    return state.equals("40001") || state.equals("40P01");
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return sqlState(e).equals("55P03"); // lock_not_available
  }

  @Override
  public boolean isUnavailable(SQLException e) {
    // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or recovering)
    return sqlState(e).startsWith("57P0");
  }

  @Override
  public String upsert(
      String table, List<String> columns, List<String> keys, List<String> updates) {
    return Dialect.insertOnConflict(table, columns, keys, updates);
  }
}
