package io.edfs.server.internal;

import io.edfs.server.ServerConfig;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * MariaDB 10.6+ and MySQL 8+ (through MariaDB Connector/J): InnoDB tables, ASCII text compared
 * byte by byte, upserts with {@code ON DUPLICATE KEY UPDATE}, row locks with {@code FOR UPDATE}.
 */
final class MariaDbDialect extends ClientServerDialect {
  private static final int ER_DUP_ENTRY = 1062;
  private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  private static final int ER_LOCK_DEADLOCK = 1213;
  private static final int ER_SERVER_SHUTDOWN = 1053;
  private static final int ER_CONNECTION_KILLED = 1927;

  /** {@code url} is a {@code jdbc:mariadb://} URL (see {@link Dialects}). */
  MariaDbDialect(String url, String description) {
    super(dataSource(url), description);
  }

  private static MariaDbDataSource dataSource(String url) {
    try {
      return new MariaDbDataSource(url);
    } catch (SQLException | RuntimeException e) {
      // the driver's message may repeat the URL, password and all
      throw new IllegalArgumentException("invalid MariaDB URL " + ServerConfig.redact(url));
    }
  }

  @Override
  public String name() {
    return "mariadb";
  }

  @Override
  public String migrations() {
    return "classpath:db/migration/mariadb";
  }

  @Override
  public String readConnectionInitSql() {
    // Connector/J takes setReadOnly as a hint only; make the server refuse writes
    return "SET SESSION TRANSACTION READ ONLY";
  }

  @Override
  public String lockRows() {
    return " FOR UPDATE";
  }

  @Override
  public String nowMillis() {
    // UTC_TIMESTAMP does not depend on the session's time zone (UNIX_TIMESTAMP(NOW()) would be
    // off by an hour in a daylight-saving change's repeated hour)
    return "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(3)) DIV 1000)";
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return e.getErrorCode() == ER_DUP_ENTRY;
  }

  @Override
  public String writeConnectionInitSql() {
    return "SET SESSION innodb_lock_wait_timeout = "
        + LOCK_WAIT.toSeconds()
        + ", SESSION idle_transaction_timeout = "
        + IDLE_IN_TRANSACTION.toSeconds();
  }

  @Override
  public boolean isConflict(SQLException e) {
    return e.getErrorCode() == ER_LOCK_DEADLOCK || sqlState(e).equals("40001");
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return e.getErrorCode() == ER_LOCK_WAIT_TIMEOUT;
  }

  @Override
  public boolean isUnavailable(SQLException e) {
    return e.getErrorCode() == ER_SERVER_SHUTDOWN || e.getErrorCode() == ER_CONNECTION_KILLED;
  }

  @Override
  public String upsert(
      String table, List<String> columns, List<String> keys, List<String> updates) {
    // keys are implied by the table's primary key / unique constraints
    List<String> set = updates.isEmpty() ? List.of(keys.get(0)) : updates;
    return Dialect.insert(table, columns)
        + " ON DUPLICATE KEY UPDATE "
        + set.stream().map(u -> u + " = VALUES(" + u + ")").collect(Collectors.joining(", "));
  }
}
