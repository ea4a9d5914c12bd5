package io.edfs.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How an {@link EdfsServer} runs: where it keeps its data, where it listens and its limits.
 * Validated when built; immutable.
 *
 * @param dataDir folder holding the database, blocks, TLS material and server secret
 * @param bindAddress address or host name to listen on ({@code 127.0.0.1} by default; {@code
 *     0.0.0.0} listens on every interface)
 * @param port TCP port, {@code 0} for an ephemeral one
 * @param sessionTtl how long a login session lasts
 * @param keepVersions how many versions of each file are kept (at least 1)
 * @param defaultQuotaBytes quota of new accounts in ciphertext bytes ({@link Long#MAX_VALUE} =
 *     unlimited)
 * @param database JDBC URL of the metadata database: {@code jdbc:sqlite:FILE}, {@code
 *     jdbc:mariadb://...} or {@code jdbc:mysql://...} (MariaDB 10.6+, MySQL 8+), {@code
 *     jdbc:postgresql://...} (PostgreSQL 13+); null for the default, SQLite file {@code edfs.db} in
 *     {@code dataDir}. It may carry credentials ({@code ?user=..&password=..}); {@link #toString}
 *     hides the password.
 * @param blocks where blocks are stored, as a block-store URI: {@code file:DIR}, {@code
 *     s3://BUCKET[/PREFIX]?endpoint=..} or {@code mirror:URI,URI}; null for the default, folder
 *     {@code blocks} in {@code dataDir}. Nodes of one cluster share it.
 * @param gcGrace how long an unreferenced block is kept before the garbage collector removes it:
 *     longer than any upload takes between storing a block and committing it (default 1 hour)
 * @param gcInterval how often the cluster's background worker collects garbage (and repairs the
 *     block store, when it can): every interval, on the one node holding the maintenance lease
 *     (default 10 minutes)
 * @param leaseTtl how long the maintenance lease lasts unless renewed (every third of it): the
 *     longest another node waits to take over from one that died (default 30 s, at least 1 s)
 */
public record ServerConfig(
    Path dataDir,
    String bindAddress,
    int port,
    Duration sessionTtl,
    int keepVersions,
    long defaultQuotaBytes,
    String database,
    String blocks,
    Duration gcGrace,
    Duration gcInterval,
    Duration leaseTtl) {

  /** The port a server listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 8443;

  /** The address a server listens on unless told otherwise: local connections only. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** Validates every field. */
  public ServerConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(sessionTtl, "sessionTtl");
    Objects.requireNonNull(gcGrace, "gcGrace");
    Objects.requireNonNull(gcInterval, "gcInterval");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    if (bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535 (0 = ephemeral), got " + port);
    }
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("sessionTtl must be positive, got " + sessionTtl);
    }
    if (keepVersions < 1) {
      throw new IllegalArgumentException("keepVersions must be at least 1, got " + keepVersions);
    }
    if (defaultQuotaBytes < 0) {
      throw new IllegalArgumentException(
          "defaultQuotaBytes must be >= 0 (Long.MAX_VALUE = unlimited), got " + defaultQuotaBytes);
    }
    if (gcGrace.isNegative()) {
      throw new IllegalArgumentException("gcGrace must not be negative, got " + gcGrace);
    }
    if (gcInterval.isNegative() || gcInterval.isZero()) {
      throw new IllegalArgumentException("gcInterval must be positive, got " + gcInterval);
    }
    if (leaseTtl.compareTo(MIN_LEASE_TTL) < 0) {
      throw new IllegalArgumentException("leaseTtl must be at least 1 s, got " + leaseTtl);
    }
    if (blocks != null && blocks.isBlank()) {
      throw new IllegalArgumentException("blocks must not be blank (null = the data folder)");
    }
    if (database != null && !isSupportedDatabase(database)) {
      throw new IllegalArgumentException(
          "unsupported database URL "
              + redact(database)
              + "; expected jdbc:sqlite:FILE, jdbc:mariadb://HOST/DB, jdbc:mysql://HOST/DB or"
              + " jdbc:postgresql://HOST/DB");
    }
  }

  /** Whether {@code url} names an engine edfs can keep its metadata in. */
  public static boolean isSupportedDatabase(String url) {
    return SUPPORTED_PREFIXES.stream().anyMatch(p -> url.startsWith(p) && url.length() > p.length());
  }

  private static final List<String> SUPPORTED_PREFIXES =
      List.of("jdbc:sqlite:", "jdbc:mariadb://", "jdbc:mysql://", "jdbc:postgresql://");

  // any parameter whose name says password or secret (password, sslpassword, keyStorePassword,
  // pwd, secret-key, ...),
  // and the password of user:password@host (up to the last '@' before the path)
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)([?&;:][^=&;?/]*(?:pass|pwd|secret)[^=&;]*=)[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:]*:)[^/]*@");

  // in a block store URI (s3://, or a mirror of s3:// sides) values end only at '&' or at the
  // comma that starts a mirror's second side: the S3 parser keeps ';' in a value. A name followed
  // by ':' is a mistyped '=' and hides its value too.
  private static final Pattern STORE_SECRET_PARAM =
      Pattern.compile(
          "(?i)([?&][^=&?/:]*(?:pass|pwd|secret)[^=&:]*[=:])[^&]*?(?=&|,(?:file:|s3://|mirror:)|$)");

  /** {@code url} with any password replaced by {@code ***}, for messages and logs. */
  public static String redact(String url) {
    Pattern secrets =
        url.startsWith("s3://") || url.startsWith("mirror:") ? STORE_SECRET_PARAM : PASSWORD_PARAM;
    String hidden = secrets.matcher(url).replaceAll("$1***");
    return USER_INFO.matcher(hidden).replaceAll("$1***@");
  }

  @Override
  public String toString() {
    return "ServerConfig[dataDir="
        + dataDir
        + ", bindAddress="
        + bindAddress
        + ", port="
        + port
        + ", sessionTtl="
        + sessionTtl
        + ", keepVersions="
        + keepVersions
        + ", defaultQuotaBytes="
        + defaultQuotaBytes
        + ", database="
        + (database == null ? "sqlite (default)" : redact(database))
        + ", blocks="
        + (blocks == null ? "data folder (default)" : redact(blocks))
        + ", gcGrace="
        + gcGrace
        + ", gcInterval="
        + gcInterval
        + ", leaseTtl="
        + leaseTtl
        + "]";
  }

  /**
   * The defaults: listen on {@value #DEFAULT_BIND_ADDRESS}:{@value #DEFAULT_PORT}, sessions of 30
   * days, 10 versions per file, unlimited quota, metadata and blocks in the data folder, unused
   * blocks kept for {@link #DEFAULT_GC_GRACE}, garbage collected every {@link
   * #DEFAULT_GC_INTERVAL} under a lease of {@link #DEFAULT_LEASE_TTL}.
   */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(
        dataDir,
        DEFAULT_BIND_ADDRESS,
        DEFAULT_PORT,
        Duration.ofDays(30),
        10,
        Long.MAX_VALUE,
        null,
        null,
        DEFAULT_GC_GRACE,
        DEFAULT_GC_INTERVAL,
        DEFAULT_LEASE_TTL);
  }

  /** How long an unreferenced block is kept unless told otherwise. */
  public static final Duration DEFAULT_GC_GRACE = Duration.ofHours(1);

  /** How often garbage is collected unless told otherwise. */
  public static final Duration DEFAULT_GC_INTERVAL = Duration.ofMinutes(10);

  /** How long the maintenance lease lasts unless told otherwise. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);

  private static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);

  /** This configuration with another port ({@code 0} = ephemeral). */
  public ServerConfig withPort(int port) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another bind address. */
  public ServerConfig withBind(String bindAddress) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another session lifetime. */
  public ServerConfig withSessionTtl(Duration sessionTtl) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration keeping another number of versions per file. */
  public ServerConfig withKeepVersions(int keepVersions) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another quota for new accounts. */
  public ServerConfig withDefaultQuotaBytes(long defaultQuotaBytes) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another metadata database (null = the default SQLite file). */
  public ServerConfig withDatabase(String database) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another block store URI (null = folder {@code blocks} in the data folder). */
  public ServerConfig withBlocks(String blocks) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another grace period for unreferenced blocks. */
  public ServerConfig withGcGrace(Duration gcGrace) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration collecting garbage at another interval. */
  public ServerConfig withGcInterval(Duration gcInterval) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another lifetime of the maintenance lease. */
  public ServerConfig withLeaseTtl(Duration leaseTtl) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }

  /** This configuration with another data folder. */
  public ServerConfig withDataDir(Path dataDir) {
    return new ServerConfig(
        dataDir,
        bindAddress,
        port,
        sessionTtl,
        keepVersions,
        defaultQuotaBytes,
        database,
        blocks,
        gcGrace,
        gcInterval,
        leaseTtl);
  }
}
