package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.ServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade path with real processes: a server's metadata moves with {@code edfs admin dump} and
 * {@code edfs admin load} to a fresh database, the server starts again on the same data folder,
 * and every user logs in and finds every file, byte for byte, and every share.
 */
@DisplayName("edfs admin dump and load move a server to another database")
class AdminDumpLoadIT {
  @TempDir static Path tmp;
  static Path data;
  static SampleUsers users;
  /** The database the server's metadata is in now: null for the data folder's edfs.db. */
  static String current;
  static int moves;

  @BeforeAll
  static void populate() throws Exception {
    data = tmp.resolve("data");
    try (ServerProcess server = ServerProcess.start(data, List.of())) {
      users = new SampleUsers(tmp).populate(server.url());
    }
  }

  /** Runs {@code edfs admin ...} as the server's administrator (no user environment). */
  static Result admin(String... args) {
    CliRunner operator = new CliRunner(tmp, "https://127.0.0.1:1", "unused").env("EDFS_PASSWORD", null);
    return operator.run(args);
  }

  /**
   * Dumps the current database, loads the dump into {@code target}, starts the server on it and
   * checks what every user sees.
   */
  static void moveTo(String target, String label) throws Exception {
    Path dump = tmp.resolve("metadata-" + (++moves) + ".dump.gz");
    List<String> dumpArgs = new ArrayList<>(List.of("admin", "dump", "--data", data.toString(), "--to", dump.toString()));
    if (current != null) {
      dumpArgs.addAll(List.of("--db", current));
    }
    Result dumped = admin(dumpArgs.toArray(String[]::new));
    assertThat(dumped.exitCode()).as("dump\n%s", dumped).isZero();
    assertThat(dumped.stdout()).contains("users 3,").contains("grants 2");

    List<String> loadArgs =
        List.of("admin", "load", "--from", dump.toString(), "--data", data.toString(), "--db", target);
    List<String> serverArgs = List.of("--db", target);
    Result loaded = admin(loadArgs.toArray(String[]::new));
    assertThat(loaded.exitCode()).as("load into %s\n%s", label, loaded).isZero();
    assertThat(loaded.stdout()).contains("loaded").contains("users 3,");
    if (target.contains("password=")) {
      String password = target.replaceFirst(".*[?&]password=([^&]*).*", "$1");
      String output = loaded.stdout() + loaded.stderr();
      assertThat(output).as("the password hidden").contains("password=***");
      if (!password.isEmpty()) {
        assertThat(output).as("no password in the output").doesNotContain(password);
      }
    }

    Result again = admin(loadArgs.toArray(String[]::new));
    assertThat(again.exitCode()).as("a second load into %s\n%s", label, again).isEqualTo(5);
    assertThat(again.stderr()).contains("the target database is not empty");

    current = target;
    try (ServerProcess server = ServerProcess.start(data, List.of(), serverArgs, Map.of())) {
      // sessions are not moved (and the port changed): log in again, with the same password
      users.check(label, (name, who) -> who.env("EDFS_SERVER", server.url()).run("login", name));
      users.refreshViews();
    }
  }

  static final List<TestDatabase> databases = new ArrayList<>();

  @AfterAll
  static void dropDatabases() {
    databases.forEach(TestDatabase::close);
  }

  // (SQLite to SQLite in the same data folder is MetadataDumpTest's round trip, in-process)
  @Test
  @DisplayName("SQLite to MariaDB to PostgreSQL and back to SQLite")
  void acrossEngines() throws Exception {
    for (Engine engine : List.of(Engine.MARIADB, Engine.POSTGRES, Engine.SQLITE)) {
      TestDatabase db = TestDatabase.create(engine, tmp.resolve("databases"));
      databases.add(db);
      moveTo(db.url(), engine.label());
    }
  }
}
