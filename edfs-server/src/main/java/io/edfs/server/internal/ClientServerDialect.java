package io.edfs.server.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * What MariaDB/MySQL and PostgreSQL have in common: a database server reached over the network,
 * many writers at once arbitrated by the engine's row locks, transactions driven through JDBC on
 * pooled connections with autocommit off (see {@link Dialect#singleWriter}).
 */
abstract class ClientServerDialect implements Dialect {
  /** Connections per pool (readers and writers each), per server node. */
  private static final int POOL_SIZE = 16;

  /** How long a writer waits for a row lock (the tree lock is held for milliseconds). */
  static final Duration LOCK_WAIT = Duration.ofSeconds(5);

  /** How long a transaction may sit idle, holding its locks, before the engine ends it. */
  static final Duration IDLE_IN_TRANSACTION = Duration.ofSeconds(60);

  private final DataSource dataSource;
  private final String description;

  ClientServerDialect(DataSource dataSource, String description) {
    this.dataSource = dataSource;
    this.description = description;
  }

  @Override
  public final DataSource dataSource() {
    return dataSource;
  }

  @Override
  public final String describe() {
    return description;
  }

  @Override
  public final int poolSize() {
    return POOL_SIZE;
  }

  @Override
  public final boolean singleWriter() {
    return false;
  }

  @Override
  public final void beginWrite(Connection c) {
    // autocommit is off: the first statement starts the transaction
  }

  @Override
  public final void beginRead(Connection c) {
    // autocommit is off: the first statement starts the transaction (and takes the snapshot)
  }

  @Override
  public final void commit(Connection c) throws SQLException {
    c.commit();
  }

  @Override
  public final void rollback(Connection c) throws SQLException {
    c.rollback();
  }

  /** The first SQLException in {@code e}'s chain with a SQLState, or {@code e}. */
  static String sqlState(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }
}
