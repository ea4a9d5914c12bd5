package io.edfs.server.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * What differs between metadata engines (SQLite, MariaDB/MySQL, PostgreSQL): how connections are
 * made and set up, how transactions start and end, row locks, upserts, and how errors are told
 * apart. Everything else is portable SQL in the stores. Implementations are thread-safe.
 */
interface Dialect extends AutoCloseable {
  /** A short name for logs, e.g. {@code sqlite}. */
  String name();

  /** Flyway location of this engine's migrations. */
  String migrations();

  /** Where new connections come from; each is set up for this engine (pragmas, session vars). */
  DataSource dataSource();

  /** A description of where the data lives, for messages: never carries a password. */
  String describe();

  /** SQL run on every new read connection, e.g. to make it read-only; empty for none. */
  String readConnectionInitSql();

  /**
   * SQL run on every new write connection (of engines that are not single-writer): bounds on how
   * long a writer waits for a row lock, and how long a transaction may sit idle holding its locks
   * (a server node that froze mid-transaction must not hold a tree for hours); empty for none.
   */
  default String writeConnectionInitSql() {
    return "";
  }

  /** How many connections each pool holds (the read pool, and the write pool where there is one). */
  int poolSize();

  /**
   * Whether the engine allows only one writer at a time, so {@link Database} must serialise writes
   * in-process on one connection (SQLite) instead of letting the engine arbitrate. Engines that
   * are not single-writer get pooled connections with autocommit off: writers at READ COMMITTED,
   * readers REPEATABLE READ and read-only; begin is then implicit and commit/rollback are JDBC's.
   */
  boolean singleWriter();

  /** Starts a transaction that will write, taking the engine's write lock at once. */
  void beginWrite(Connection c) throws SQLException;

  /** Starts a read-only transaction (one consistent snapshot). */
  void beginRead(Connection c) throws SQLException;

  void commit(Connection c) throws SQLException;

  void rollback(Connection c) throws SQLException;

  /**
   * The clause that, appended to a single-table {@code SELECT}, locks the selected rows against
   * other writers until the transaction ends; empty where writers are serialised anyway. (On
   * PostgreSQL the lock lets other transactions' foreign-key checks through; on InnoDB it does
   * not, see {@link UserStore#lockTrees}.)
   */
  String lockRows();

  /**
   * An SQL expression for the database's clock in milliseconds since the epoch (UTC). Every node
   * of a cluster reads the same clock this way, so lease expiries and grace periods compare times
   * from one source whatever the nodes' own clocks say.
   */
  String nowMillis();

  /** Whether {@code e} reports a violated primary key or unique constraint. */
  boolean isUniqueViolation(SQLException e);

  /**
   * Whether {@code e} says the engine rolled the transaction back because it conflicted with
   * another one (a deadlock, a serialization failure): running the same transaction again may well
   * succeed.
   */
  boolean isConflict(SQLException e);

  /**
   * Whether {@code e} says a lock wait timed out (see {@link #writeConnectionInitSql}): another
   * transaction held the rows for too long. Not worth repeating at once.
   */
  default boolean isLockTimeout(SQLException e) {
    return false;
  }

  /**
   * Whether {@code e} says, in this engine's own words, that the database cannot serve now
   * (shutting down, starting up). Connection failures in JDBC's standard terms (SQLState class
   * 08, the connection exception types) are recognised without asking the dialect.
   */
  default boolean isUnavailable(SQLException e) {
    return false;
  }

  /**
   * An insert of {@code columns} into {@code table} that, when a row with the same {@code keys}
   * exists, instead updates {@code updates} to the new values (or does nothing if {@code updates}
   * is empty). Parameters are the columns in order.
   */
  String upsert(String table, List<String> columns, List<String> keys, List<String> updates);

  /** The {@link #upsert} of engines that speak {@code INSERT ... ON CONFLICT} (SQL:2016-ish). */
  static String insertOnConflict(
      String table, List<String> columns, List<String> keys, List<String> updates) {
    String insert = insert(table, columns) + " ON CONFLICT (" + String.join(", ", keys) + ") DO ";
    return updates.isEmpty()
        ? insert + "NOTHING"
        : insert
            + "UPDATE SET "
            + updates.stream().map(u -> u + " = excluded." + u).collect(Collectors.joining(", "));
  }

  /** {@code INSERT INTO table (columns) VALUES (?, ...)}: one parameter per column. */
  static String insert(String table, List<String> columns) {
    return "INSERT INTO "
        + table
        + " ("
        + String.join(", ", columns)
        + ") VALUES ("
        + columns.stream().map(col -> "?").collect(Collectors.joining(", "))
        + ")";
  }

  /** Releases what the dialect holds (nothing for most). */
  @Override
  default void close() {}
}
