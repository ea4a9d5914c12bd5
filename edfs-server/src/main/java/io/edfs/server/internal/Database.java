package io.edfs.server.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database: runs the schema migrations, then hands out transactions. Reads run on a
 * small pool of read connections and never wait for writes; writes run one at a time on the single
 * writer connection (for single-writer engines), so a writer never meets a locked database. Every
 * {@link #write} is one transaction: all or nothing. Thread-safe.
 */
final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Work in a transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Dialect dialect;
  private final HikariDataSource readers;
  private final Connection writer;
  // fair, so a steady stream of writers cannot starve one that waits
  private final ReentrantLock writeLock = new ReentrantLock(true);

  private Database(Dialect dialect, HikariDataSource readers, Connection writer) {
    this.dialect = dialect;
    this.readers = readers;
    this.writer = writer;
  }

  /** Migrates the schema to the newest version and opens the connections. */
  static Database open(Dialect dialect) throws SQLException {
    Flyway.configure(Database.class.getClassLoader())
        .dataSource(dialect.dataSource())
        .locations(dialect.migrations())
        .load()
        .migrate();
    if (!dialect.singleWriter()) {
      throw new UnsupportedOperationException(
          "only single-writer engines are implemented so far, not " + dialect.name());
    }
    Connection writer = dialect.dataSource().getConnection();
    HikariConfig config = new HikariConfig();
    config.setDataSource(dialect.dataSource());
    config.setPoolName("edfs-readers");
    config.setMaximumPoolSize(dialect.readPoolSize());
    config.setMinimumIdle(1);
    config.setAutoCommit(true);
    if (!dialect.readConnectionInitSql().isEmpty()) {
      config.setConnectionInitSql(dialect.readConnectionInitSql());
    }
    try {
      return new Database(dialect, new HikariDataSource(config), writer);
    } catch (RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  Dialect dialect() {
    return dialect;
  }

  /** Runs {@code work} in a read-only transaction on a read connection. */
  <T> T read(Work<T> work) {
    try (Connection c = readers.getConnection()) {
      dialect.beginRead(c);
      return finish(c, work);
    } catch (SQLException e) {
      throw new StorageException("read transaction failed", e);
    }
  }

  /**
   * Runs {@code work} in a write transaction on the writer connection. Commits when it returns;
   * rolls back everything when it throws (and rethrows).
   */
  <T> T write(Work<T> work) {
    writeLock.lock();
    try {
      dialect.beginWrite(writer);
      return finish(writer, work);
    } catch (SQLException e) {
      throw new StorageException("write transaction failed", e);
    } finally {
      writeLock.unlock();
    }
  }

  private <T> T finish(Connection c, Work<T> work) throws SQLException {
    T result;
    try {
      result = work.run(c);
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly(c, e);
      throw e;
    }
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

  @Override
  public void close() {
    writeLock.lock();
    try {
      readers.close();
      try {
        writer.close();
      } catch (SQLException e) {
        LOG.warn("closing the writer connection failed", e);
      }
      dialect.close();
    } finally {
      writeLock.unlock();
    }
  }

  /** The database failed (not the request): an internal error. */
  static final class StorageException extends RuntimeException {
    StorageException(String message, SQLException cause) {
      super(message + ": " + cause.getMessage(), cause);
    }
  }
}
