package io.edfs.testing;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A MariaDB or PostgreSQL server owned by one test: its own data folder and a free port on
 * 127.0.0.1, so the test may crash it ({@link #kill()}: SIGKILL) and start it again ({@link
 * #restart()}) without touching the machine's shared servers. Durability settings are the
 * engines' safe defaults (every commit reaches the disk). {@link #close()} stops it and deletes
 * its folder.
 *
 * <p>Needs the engine's binaries ({@code mariadb-install-db} and {@code mariadbd}, or
 * PostgreSQL's {@code initdb} and {@code postgres} under {@code /usr/lib/postgresql/VERSION/bin});
 * without them {@link #start} skips the calling test with a one-line reason, or fails it when the
 * run requires every engine ({@link TestDatabase#required()}). PostgreSQL refuses to run as root,
 * so under root it runs as the {@code postgres} user.
 */
public final class PrivateDatabaseServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final String DATABASE = "edfs";

  private final Engine engine;
  private final Path dir;
  private final int port;
  private final List<String> command;
  private Process process;

  private PrivateDatabaseServer(Engine engine, Path dir, int port, List<String> command) {
    this.engine = engine;
    this.dir = dir;
    this.port = port;
    this.command = command;
  }

  /**
   * Creates a data folder, starts the server, waits (up to 60 s) until it answers and creates an
   * empty database {@code edfs} on it.
   */
  public static PrivateDatabaseServer start(Engine engine) throws IOException {
    Path dir = Files.createTempDirectory("edfs-db-" + engine.label() + "-");
    try {
      int port = freePort();
      PrivateDatabaseServer server =
          switch (engine) {
            case MARIADB -> mariadb(dir, port);
            case POSTGRES -> postgres(dir, port);
            case SQLITE -> throw new IllegalArgumentException("SQLite is embedded: it has no server");
          };
      server.launch();
      server.admin(
          engine == Engine.MARIADB
              ? "CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
              : "CREATE DATABASE " + DATABASE);
      return server;
    } catch (IOException | RuntimeException e) {
      Folders.deleteRecursively(dir);
      throw e;
    }
  }

  private static PrivateDatabaseServer mariadb(Path dir, int port) throws IOException {
    String install = binary(Engine.MARIADB, "mariadb-install-db", List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin")));
    String daemon = binary(Engine.MARIADB, "mariadbd", List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/usr/bin")));
    Path data = dir.resolve("data");
    String user = System.getProperty("user.name");
    // --no-defaults first: the machine's my.cnf must not leak into a private server
    run(
        dir,
        List.of(
            install,
            "--no-defaults",
            "--datadir=" + data,
            "--user=" + user,
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve"));
    List<String> cmd =
        List.of(
            daemon,
            "--no-defaults",
            "--datadir=" + data,
            "--user=" + user,
            "--bind-address=127.0.0.1",
            "--port=" + port,
            "--socket=" + dir.resolve("mysqld.sock"),
            "--pid-file=" + dir.resolve("mysqld.pid"),
            "--log-error=" + dir.resolve("server.log"),
            "--skip-name-resolve",
            "--innodb-flush-log-at-trx-commit=1",
            "--max-connections=500");
    return new PrivateDatabaseServer(Engine.MARIADB, dir, port, cmd);
  }

  private static PrivateDatabaseServer postgres(Path dir, int port) throws IOException {
    Path bin = postgresBin();
    List<String> asPostgres = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, owner);
      // setpriv execs (no child process), so the process we start is the postmaster itself
      asPostgres.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    }
    Path data = dir.resolve("data");
    List<String> init = new ArrayList<>(asPostgres);
    init.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"));
    run(dir, init);
    List<String> cmd = new ArrayList<>(asPostgres);
    cmd.addAll(
        List.of(
            bin.resolve("postgres").toString(),
            "-D", data.toString(),
            "-p", Integer.toString(port),
            "-k", dir.toString(),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=on",
            "-c", "synchronous_commit=on",
            "-c", "max_connections=300"));
    return new PrivateDatabaseServer(Engine.POSTGRES, dir, port, cmd);
  }

  public Engine engine() {
    return engine;
  }

  public int port() {
    return port;
  }

  /** The folder holding the server's data and logs (deleted by {@link #close()}). */
  public Path folder() {
    return dir;
  }

  /** The JDBC URL of database {@code edfs} on this server, with credentials. */
  public String jdbcUrl() {
    return url(DATABASE);
  }

  /** Whether the server process runs. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL to the server and every process it started: a crash, no chance to flush anything. */
  public void kill() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(engine.label() + " process " + p.pid() + " did not die after SIGKILL", e);
      }
    }
    process = null;
  }

  /** Starts the server again on the same folder and port and waits until it answers. */
  public void restart() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException(engine.label() + " on port " + port + " is still running; kill() it first");
    }
    launch();
  }

  /** Kills the server and deletes its folder. */
  @Override
  public void close() {
    try {
      kill();
    } finally {
      Folders.deleteRecursively(dir);
    }
  }

  @Override
  public String toString() {
    return "private " + engine.label() + " on 127.0.0.1:" + port + " in " + dir;
  }

  private void launch() throws IOException {
    process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("process.log").toFile()))
            .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(this + " exited with " + process.exitValue() + " while starting:\n" + logTail());
      }
      try (Connection c = DriverManager.getConnection(url(adminDatabase()))) {
        return;
      } catch (SQLException e) {
        last = e;
      }
      sleep(100);
    }
    kill();
    throw new IllegalStateException(
        this + " did not answer within " + START_TIMEOUT.toSeconds() + " s (" + (last == null ? "" : last.getMessage()) + "):\n" + logTail());
  }

  private void admin(String sql) {
    try (Connection c = DriverManager.getConnection(url(adminDatabase()));
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(this + ": " + sql + " failed: " + e.getMessage(), e);
    }
  }

  private String adminDatabase() {
    return engine == Engine.MARIADB ? "" : "postgres";
  }

  private String url(String database) {
    return engine == Engine.MARIADB
        ? "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?user=root&password="
        : "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  private String logTail() {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("process.log", "server.log")) {
      Path log = dir.resolve(name);
      try {
        if (Files.exists(log)) {
          List<String> lines = Files.readAllLines(log);
          lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> out.append(l).append('\n'));
        }
      } catch (IOException e) {
        out.append("(cannot read ").append(log).append(": ").append(e.getMessage()).append(")\n");
      }
    }
    return out.toString();
  }

  /** Runs a set-up command to its end; fails with its output if it fails. */
  private static void run(Path dir, List<String> cmd) throws IOException {
    Path log = dir.resolve("setup.log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed with exit " + p.exitValue() + ":\n" + Files.readString(log));
    }
  }

  /** The newest {@code /usr/lib/postgresql/VERSION/bin} holding {@code initdb} and {@code postgres}. */
  private static Path postgresBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    Optional<Path> newest = Optional.empty();
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        newest =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                .max(Comparator.comparingInt(PrivateDatabaseServer::majorVersion));
      }
    }
    if (newest.isEmpty()) {
      missing(Engine.POSTGRES, "initdb and postgres not found under " + root + "/VERSION/bin");
    }
    return newest.orElseThrow();
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String binary(Engine engine, String name, List<Path> dirs) {
    List<Path> candidates = new ArrayList<>(dirs);
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d));
        }
      }
    }
    for (Path d : candidates) {
      if (Files.isExecutable(d.resolve(name))) {
        return d.resolve(name).toString();
      }
    }
    missing(engine, name + " not found in " + candidates);
    throw new AssertionError("unreachable");
  }

  private static void missing(Engine engine, String why) {
    String reason = "cannot start a private " + engine.label() + " server: " + why;
    if (TestDatabase.required()) {
      throw new IllegalStateException(reason + "; this run requires every database engine");
    }
    Assumptions.abort(reason + "; skipped (set CI=true to make this a failure)");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
