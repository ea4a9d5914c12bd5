package io.edfs.cli;

import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code edfs server}: runs a server. Settings come from the command line, then the environment
 * ({@code EDFS_DB}), then the config file, then the defaults (SQLite + local disk under --data).
 */
@Command(
    name = "server",
    description = {
      "Run an edfs server: blocks under --data; metadata in SQLite there (the default), or in"
          + " MariaDB/MySQL or PostgreSQL with --db.",
      "",
      "Settings: command line, then EDFS_DB, then the --config file (Java properties: data, port,"
          + " bind, db), then the defaults. Prefer EDFS_DB or a private config file to --db for a"
          + " URL with a password: a command line is visible to other users."
    })
final class ServerCommand implements Callable<Integer> {
  private static final Set<String> CONFIG_KEYS = Set.of("data", "port", "bind", "db");

  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR", description = "Data folder (default: ./edfs-data).")
  Path data;

  @Option(names = "--port", description = "HTTPS port (default: 8443; 0 picks a free one).")
  Integer port;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default: 127.0.0.1).")
  String bind;

  @Option(
      names = "--db",
      paramLabel = "JDBC_URL",
      description = {
        "Metadata database (default: SQLite file edfs.db in --data):",
        "  jdbc:sqlite:FILE",
        "  jdbc:mariadb://HOST:3306/DB?user=U&password=P  (MariaDB 10.6+)",
        "  jdbc:mysql://HOST:3306/DB?user=U&password=P    (MySQL 8+)",
        "  jdbc:postgresql://HOST:5432/DB?user=U&password=P  (PostgreSQL 13+)",
        "The database must exist; edfs creates and upgrades its tables."
      })
  String db;

  @Option(names = "--config", paramLabel = "FILE", description = "Read settings from this properties file.")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = config(System.getenv());
    EdfsServer server = EdfsServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    var out = main.cli.out;
    out.println("edfs server: data in " + server.dataDir() + " (blocks on local disk)");
    out.println("edfs server: metadata in the " + server.database());
    out.println("edfs server: listening on " + server.uri());
    out.println("edfs server: certificate SHA-256 fingerprint " + server.certificateFingerprint());
    out.flush();
    stopped.await();
    return 0;
  }

  /** The settings, each from the first place that has it. */
  ServerConfig config(Map<String, String> env) throws IOException {
    Properties file = configFile == null ? new Properties() : readConfig(configFile);
    Path dataDir = data != null ? data : Path.of(file.getProperty("data", "edfs-data"));
    int portNumber = port != null ? port : parsePort(file.getProperty("port"));
    String bindAddress = bind != null ? bind : file.getProperty("bind", ServerConfig.DEFAULT_BIND_ADDRESS);
    String database = db;
    if (database == null) {
      String fromEnv = env.get("EDFS_DB");
      database = fromEnv != null && !fromEnv.isBlank() ? fromEnv : file.getProperty("db");
    }
    try {
      return ServerConfig.defaults(dataDir.toAbsolutePath())
          .withPort(portNumber)
          .withBind(bindAddress)
          .withDatabase(database == null || database.isBlank() ? null : database.strip());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
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
            "unknown setting '" + key + "' in " + file + "; known: data, port, bind, db");
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
