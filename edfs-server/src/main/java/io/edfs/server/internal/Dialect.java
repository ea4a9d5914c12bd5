package io.edfs.server.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * What differs between metadata engines (SQLite now; MariaDB/MySQL and PostgreSQL later): how
 * connections are made and set up, how transactions start and end, upserts and constraint errors.
 * Everything else is portable SQL in the stores. Implementations are thread-safe.
 */
interface Dialect extends AutoCloseable {
  /** A short name for logs, e.g. {@code sqlite}. */
  String name();

  /** Flyway location of this engine's migrations. */
  String migrations();

  /** Where new connections come from; each is set up for this engine (pragmas, session vars). */
  DataSource dataSource();

  /** SQL run on every new read connection, e.g. to make it read-only; empty for none. */
  String readConnectionInitSql();

  /** How many read connections to pool. */
  int readPoolSize();

  /**
   * Whether the engine allows only one writer at a time, so {@link Database} must serialise writes
   * in-process on one connection (SQLite) instead of letting the engine arbitrate.
   */
  boolean singleWriter();

  /** Starts a transaction that will write, taking the engine's write lock at once. */
  void beginWrite(Connection c) throws SQLException;

  /** Starts a read-only transaction (one consistent snapshot). */
  void beginRead(Connection c) throws SQLException;

  void commit(Connection c) throws SQLException;

  void rollback(Connection c) throws SQLException;

  /** Whether {@code e} reports a violated primary key or unique constraint. */
  boolean isUniqueViolation(SQLException e);

  /**
   * An insert of {@code columns} into {@code table} that, when a row with the same {@code keys}
   * exists, instead updates {@code updates} to the new values (or does nothing if {@code updates}
   * is empty). Parameters are the columns in order.
   */
  String upsert(String table, List<String> columns, List<String> keys, List<String> updates);

  /** Releases what the dialect holds (nothing for most). */
  @Override
  default void close() {}
}
