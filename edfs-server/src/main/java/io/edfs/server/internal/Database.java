package io.edfs.server.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database: runs the schema migrations, then hands out transactions. Every {@link
 * #write} is one transaction: all or nothing. Thread-safe.
 *
 * <p>On a single-writer engine (SQLite) reads run on a small pool of read connections and never
 * wait for writes; writes run one at a time on the single writer connection, so a writer never
 * meets a locked database. On MariaDB/MySQL and PostgreSQL, reads and writes run on two pools;
 * writes run at READ COMMITTED and take the row locks they need (see {@link UserStore#lockTrees});
 * reads see one snapshot.
 *
 * <p>Failures: a transaction the engine rolled back because it conflicted with another (deadlock,
 * serialization failure) is run again, at most {@value #MAX_ATTEMPTS} times in all, after a short
 * random pause. A connection that turns out to be broken before anything was committed is
 * replaced (at most {@value #BROKEN_CONNECTION_ATTEMPTS} attempts). Otherwise a {@link
 * StorageException} says whether the database is unavailable, too busy, or failed.
 */
final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Attempts of a transaction that keeps conflicting with others, before giving up. */
  static final int MAX_ATTEMPTS = 6;

  /** Attempts of a transaction whose pooled connections turn out to be broken. */
  static final int BROKEN_CONNECTION_ATTEMPTS = 3;

  /**
   * How long a request waits for a connection to a database server before it is told the database
   * is unavailable. (A local SQLite file is never down: there it only waits for a free connection.)
   */
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  /** Work in a transaction; it may run more than once, so it must not act outside it. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Dialect dialect;
  private final HikariDataSource readers;
  private final HikariDataSource writers; // null on a single-writer engine
  private final Connection writer; // the one writer connection of a single-writer engine
  // fair, so a steady stream of writers cannot starve one that waits
  private final ReentrantLock writeLock = new ReentrantLock(true);
  private final AtomicLong conflictRetries = new AtomicLong();

  private Database(
      Dialect dialect, HikariDataSource readers, HikariDataSource writers, Connection writer) {
    this.dialect = dialect;
    this.readers = readers;
    this.writers = writers;
    this.writer = writer;
  }

  /**
   * Migrates the schema to the newest version and opens the connections.
   *
   * @throws SchemaException if the database holds a schema newer than this server knows
   */
  static Database open(Dialect dialect) throws SQLException {
    migrate(dialect);
    if (dialect.singleWriter()) {
      Connection writer = dialect.dataSource().getConnection();
      HikariConfig config = pool(dialect, "edfs-readers");
      config.setAutoCommit(true);
      if (!dialect.readConnectionInitSql().isEmpty()) {
        config.setConnectionInitSql(dialect.readConnectionInitSql());
      }
      try {
        return new Database(dialect, new HikariDataSource(config), null, writer);
      } catch (RuntimeException e) {
        writer.close();
        throw e;
      }
    }
    HikariConfig write = pool(dialect, "edfs-writers");
    write.setAutoCommit(false);
    write.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    if (!dialect.writeConnectionInitSql().isEmpty()) {
      write.setConnectionInitSql(dialect.writeConnectionInitSql());
    }
    HikariConfig read = pool(dialect, "edfs-readers");
    read.setAutoCommit(false);
    read.setReadOnly(true);
    read.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
    if (!dialect.readConnectionInitSql().isEmpty()) {
      read.setConnectionInitSql(dialect.readConnectionInitSql());
    }
    HikariDataSource writers = new HikariDataSource(write);
    try {
      return new Database(dialect, new HikariDataSource(read), writers, null);
    } catch (RuntimeException e) {
      writers.close();
      throw e;
    }
  }

  private static HikariConfig pool(Dialect dialect, String name) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(dialect.dataSource());
    config.setPoolName(name);
    config.setMaximumPoolSize(dialect.poolSize());
    config.setMinimumIdle(Math.min(2, dialect.poolSize()));
    if (!dialect.singleWriter()) {
      config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    }
    config.setValidationTimeout(Duration.ofSeconds(1).toMillis());
    config.setKeepaliveTime(Duration.ofSeconds(30).toMillis());
    return config;
  }

  /** Refuses a schema newer than this server's migrations, then migrates an older one. */
  private static void migrate(Dialect dialect) {
    Flyway flyway =
        Flyway.configure(Database.class.getClassLoader())
            .dataSource(dialect.dataSource())
            .locations(dialect.migrations())
            .load();
    MigrationInfoService info = flyway.info();
    MigrationInfo[] all = info.all();
    boolean future =
        Arrays.stream(all)
            .anyMatch(
                m ->
                    m.getState() == MigrationState.FUTURE_SUCCESS
                        || m.getState() == MigrationState.FUTURE_FAILED);
    if (future) {
      String known =
          Arrays.stream(all)
              .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS)
              .filter(m -> m.getState() != MigrationState.FUTURE_FAILED)
              .map(m -> m.getVersion().getVersion())
              .reduce((a, b) -> b)
              .orElse("none");
      throw new SchemaException(
          "the "
              + dialect.describe()
              + " has schema version "
              + info.current().getVersion().getVersion()
              + ", newer than this edfs knows (up to "
              + known
              + "): run a newer edfs, or point this one at another database");
    }
    flyway.migrate();
  }

  Dialect dialect() {
    return dialect;
  }

  /** How many transactions ran again after a conflict, since the database was opened. */
  long conflictRetries() {
    return conflictRetries.get();
  }

  /** Runs {@code work} in a read-only transaction that sees one snapshot. */
  <T> T read(Work<T> work) {
    return transaction(false, work);
  }

  /** Makes a value of the current row of a result set. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Receives one page of rows. */
  @FunctionalInterface
  interface PageVisitor<T> {
    void visit(List<T> rows) throws IOException;
  }

  /**
   * Reads rows ordered by a text key, {@code size} at a time, each page in a read transaction of
   * its own: a reader that stays for minutes would hold SQLite's log and the other engines' old row
   * versions. {@code query} takes the last key of the previous page (empty at first) as its one
   * parameter and orders by that key, e.g. {@code SELECT hash FROM blocks WHERE hash > ? ORDER BY
   * hash}; the LIMIT is appended here. Pages do not form one snapshot.
   */
  <T> void readPages(
      String query, int size, RowReader<T> reader, Function<T, String> key, PageVisitor<T> each)
      throws IOException {
    String after = "";
    while (true) {
      String from = after;
      List<T> page =
          read(
              c -> {
                try (PreparedStatement ps = c.prepareStatement(query + " LIMIT " + size)) {
                  ps.setString(1, from);
                  List<T> rows = new ArrayList<>();
                  try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                      rows.add(reader.read(rs));
                    }
                  }
                  return rows;
                }
              });
      each.visit(page);
      if (page.size() < size) {
        return;
      }
      after = key.apply(page.getLast());
    }
  }

  /**
   * Runs {@code work} in a write transaction. Commits when it returns; rolls back everything when
   * it throws (and rethrows). {@code work} may run more than once (see the class comment).
   */
  <T> T write(Work<T> work) {
    return transaction(true, work);
  }

  private <T> T transaction(boolean write, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      boolean[] committing = {false};
      try {
        if (!write) {
          try (Connection c = readers.getConnection()) {
            dialect.beginRead(c);
            return finish(c, work, committing);
          }
        }
        if (writers != null) {
          try (Connection c = writers.getConnection()) {
            dialect.beginWrite(c);
            return finish(c, work, committing);
          }
        }
        return writeSerialised(work, committing);
      } catch (SQLException e) {
        StorageException.Kind kind = classify(e);
        boolean again =
            switch (kind) {
              case CONFLICT -> attempt < MAX_ATTEMPTS;
              // pooled connections that died with a restarted server: fresh ones, unless the
              // commit itself failed (it may have committed; running it again could repeat it)
              // or no connection could be had at all (the server is down: fail fast)
              case UNAVAILABLE ->
                  attempt < BROKEN_CONNECTION_ATTEMPTS
                      && !committing[0]
                      && !(e instanceof SQLTransientConnectionException);
              case BUSY, FAILED -> false;
            };
        if (!again) {
          throw new StorageException(kind, write, attempt, e);
        }
        if (kind == StorageException.Kind.CONFLICT) {
          conflictRetries.incrementAndGet();
          pause(attempt);
        } else {
          // one broken connection means the server dropped them all (a restart): replace the
          // pool's connections instead of finding out one failed request at a time
          HikariDataSource pool = write ? writers : readers;
          if (pool != null && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
          }
        }
      }
    }
  }

  private <T> T writeSerialised(Work<T> work, boolean[] committing) throws SQLException {
    writeLock.lock();
    try {
      dialect.beginWrite(writer);
      return finish(writer, work, committing);
    } finally {
      writeLock.unlock();
    }
  }

  private <T> T finish(Connection c, Work<T> work, boolean[] committing) throws SQLException {
    T result;
    try {
      result = work.run(c);
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly(c, e);
      throw e;
    }
    committing[0] = true;
    try {
      dialect.commit(c);
    } catch (SQLException e) {
      rollbackQuietly(c, e);
      throw e;
    }
    return result;
  }

  private void rollbackQuietly(Connection c, Throwable cause) {
    try {
      dialect.rollback(c);
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** What kind of failure {@code e} is. */
  private StorageException.Kind classify(SQLException e) {
    if (dialect.isConflict(e)) {
      return StorageException.Kind.CONFLICT;
    }
    if (dialect.isLockTimeout(e)) {
      return StorageException.Kind.BUSY;
    }
    if (e instanceof SQLTransientConnectionException && e.getCause() == null) {
      // the pool had no free connection in time, though the database answers: overloaded
      return StorageException.Kind.BUSY;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException
          || t instanceof SQLRecoverableException) {
        return StorageException.Kind.UNAVAILABLE;
      }
      if (t instanceof SQLException s
          && ((s.getSQLState() != null && s.getSQLState().startsWith("08")) // connection exception
              || dialect.isUnavailable(s))) {
        return StorageException.Kind.UNAVAILABLE;
      }
    }
    return StorageException.Kind.FAILED;
  }

  /** A random pause that grows with each attempt, so conflicting transactions drift apart. */
  private static void pause(int attempt) {
    long maxMillis = 2L << Math.min(attempt, 6);
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, maxMillis + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      readers.close();
      if (writers != null) {
        writers.close();
      }
      if (writer != null) {
        try {
          writer.close();
        } catch (SQLException e) {
          LOG.warn("closing the writer connection failed", e);
        }
      }
      dialect.close();
    } finally {
      writeLock.unlock();
    }
  }

  /** The database, not the request, failed. */
  static final class StorageException extends RuntimeException {
    /** What went wrong. */
    enum Kind {
      /** The database cannot be reached (down, restarting, network): try again shortly. */
      UNAVAILABLE,
      /** The transaction kept conflicting with others (after every attempt): try again. */
      CONFLICT,
      /** Too much at once: no free connection, or a row lock held too long. Try again. */
      BUSY,
      /** Anything else: a bug or a broken database; the log has the details. */
      FAILED
    }

    private final Kind kind;

    StorageException(Kind kind, boolean write, int attempts, SQLException cause) {
      super(
          (write ? "write" : "read")
              + " transaction failed"
              + (attempts > 1 ? " after " + attempts + " attempts" : "")
              + ": "
              + cause.getMessage(),
          cause);
      this.kind = kind;
    }

    Kind kind() {
      return kind;
    }
  }

  /** The database's schema cannot be used by this server. */
  static final class SchemaException extends RuntimeException {
    SchemaException(String message) {
      super(message);
    }
  }
}
