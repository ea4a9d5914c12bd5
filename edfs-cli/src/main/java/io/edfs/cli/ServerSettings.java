package io.edfs.cli;

import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a server keeps its data and metadata ({@code --data}, {@code --db}, {@code --config}): the
 * options {@code edfs server} and {@code edfs admin} share, and how a setting is found: the
 * command line, then the environment ({@code EDFS_DB}), then the config file, then the defaults.
 */
final class ServerSettings {
  private static final List<String> KNOWN =
      List.of("data", "port", "bind", "db", "blocks", "gc-grace", "gc-interval", "lease-ttl");
  private static final Set<String> CONFIG_KEYS = Set.copyOf(KNOWN);

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR", description = "Data folder (default: ./edfs-data).")
  Path data;

  @Option(
      names = "--db",
      paramLabel = "JDBC_URL",
      description = {
        "Metadata database (default: EDFS_DB, then db= in --config, then the SQLite file edfs.db in --data):",
        "  jdbc:sqlite:FILE",
        "  jdbc:mariadb://HOST:3306/DB?user=U&password=P  (MariaDB 10.6+)",
        "  jdbc:mysql://HOST:3306/DB?user=U&password=P    (MySQL 8+)",
        "  jdbc:postgresql://HOST:5432/DB?user=U&password=P  (PostgreSQL 13+)",
        "The database must exist; edfs creates and upgrades its tables."
      })
  String db;

  @Option(
      names = "--blocks",
      paramLabel = "URI",
      description = {
        "Block store (default: EDFS_BLOCKS, then blocks= in --config, then folder blocks in --data):",
        "  file:DIR",
        "  s3://BUCKET[/PREFIX]?endpoint=http://HOST:9000&access-key=K&secret-key=S",
        "      (AWS: leave out endpoint, add region=R; without the keys: AWS_ACCESS_KEY_ID and",
        "      AWS_SECRET_ACCESS_KEY or an AWS profile; create-bucket=true creates a missing bucket)",
        "  mirror:URI,URI  (every block on both stores: file: or s3://)",
        "Every node of a cluster uses the same one. A URI with a secret key belongs in EDFS_BLOCKS",
        "or the config file rather than on the command line."
      })
  String blocks;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Read settings from this properties file (data, port, bind, db, blocks, gc-grace,"
              + " gc-interval, lease-ttl).")
  Path configFile;

  /**
   * The server's settings, each from the first place that has it; {@code port} and {@code bind}
   * are the command line's (null when not given, or for commands without them).
   */
  ServerConfig config(Map<String, String> env, Integer port, String bind) throws IOException {
    Properties file = configFile == null ? new Properties() : readConfig(configFile);
    Path dataDir = data != null ? data : Path.of(file.getProperty("data", "edfs-data"));
    int portNumber = port != null ? port : parsePort(file.getProperty("port"));
    String bindAddress =
        bind != null ? bind : file.getProperty("bind", ServerConfig.DEFAULT_BIND_ADDRESS);
    String database = firstOf(db, env.get("EDFS_DB"), file.getProperty("db"));
    String blockStore = firstOf(blocks, env.get("EDFS_BLOCKS"), file.getProperty("blocks"));
    try {
      return ServerConfig.defaults(dataDir.toAbsolutePath())
          .withPort(portNumber)
          .withBind(bindAddress)
          .withDatabase(database)
          .withBlocks(blockStore)
          .withGcGrace(duration(file, "gc-grace", ServerConfig.DEFAULT_GC_GRACE))
          .withGcInterval(duration(file, "gc-interval", ServerConfig.DEFAULT_GC_INTERVAL))
          .withLeaseTtl(duration(file, "lease-ttl", ServerConfig.DEFAULT_LEASE_TTL));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** The duration {@code key} of the config file, or {@code fallback} when it has none. */
  private static Duration duration(Properties file, String key, Duration fallback) {
    String value = file.getProperty(key);
    return value == null || value.isBlank() ? fallback : Durations.parse(value.strip(), key);
  }

  /** The first of {@code values} that says something, stripped; null if none does. */
  private static String firstOf(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  private Properties readConfig(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot read the config file " + file + ": " + e.getMessage(), e);
    }
    for (String key : p.stringPropertyNames()) {
      if (!CONFIG_KEYS.contains(key)) {
        throw new ParameterException(
            spec.commandLine(),
            "unknown setting '" + key + "' in " + file + "; known: " + String.join(", ", KNOWN));
      }
    }
    return p;
  }

  private int parsePort(String value) {
    if (value == null || value.isBlank()) {
      return ServerConfig.DEFAULT_PORT;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), "port must be a number, got '" + value + "'");
    }
  }
}
