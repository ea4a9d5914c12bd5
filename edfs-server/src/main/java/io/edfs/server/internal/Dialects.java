package io.edfs.server.internal;

import io.edfs.server.ServerConfig;
import java.nio.file.Path;

/** Picks the {@link Dialect} for a database URL. */
final class Dialects {
  /** The database file used when no URL is configured. */
  static final String DEFAULT_SQLITE_FILE = "edfs.db";

  private Dialects() {}

  /**
   * The dialect for {@code url} (see {@link ServerConfig#database}); null means the default SQLite
   * file in {@code dataDir}. A relative SQLite path is taken from the working folder.
   *
   * @throws IllegalArgumentException for a URL of an engine edfs does not support
   */
  static Dialect forUrl(String url, Path dataDir) {
    if (url == null) {
      return new SqliteDialect(dataDir.resolve(DEFAULT_SQLITE_FILE));
    }
    if (!ServerConfig.isSupportedDatabase(url)) {
      throw new IllegalArgumentException(
          "unsupported database URL " + ServerConfig.redact(url));
    }
    if (url.startsWith("jdbc:sqlite:")) {
      return new SqliteDialect(Path.of(url.substring("jdbc:sqlite:".length())));
    }
    String shown = ServerConfig.redact(url);
    if (url.startsWith("jdbc:mysql://")) {
      // MariaDB Connector/J speaks to MySQL 8 too
      return new MariaDbDialect(
          "jdbc:mariadb://" + url.substring("jdbc:mysql://".length()), "MySQL database " + shown);
    }
    if (url.startsWith("jdbc:mariadb://")) {
      return new MariaDbDialect(url, "MariaDB database " + shown);
    }
    return new PostgresDialect(url, "PostgreSQL database " + shown);
  }
}
