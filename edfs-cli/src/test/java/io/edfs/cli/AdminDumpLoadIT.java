package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
  static final Map<String, CliRunner> users = new LinkedHashMap<>();
  static final Map<String, String> passwords =
      Map.of("alice", "alice's long passphrase", "bob", "bob-pass-98765", "carol", "carol pass 4321");
  /** What each user reads (path → content) and sees (listing commands → output). */
  static final Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
  static final Map<String, Map<String, String>> views = new LinkedHashMap<>();
  static Path big;
  /** The database the server's metadata is in now: null for the data folder's edfs.db. */
  static String current;
  static int moves;

  @BeforeAll
  static void populate() throws Exception {
    data = tmp.resolve("data");
    try (ServerProcess server = ServerProcess.start(data, List.of())) {
      for (String name : passwords.keySet()) {
        CliRunner who = new CliRunner(Files.createDirectories(tmp.resolve("home-" + name)), server.url(), passwords.get(name));
        users.put(name, who);
        ok(who, "signup", name);
        files.put(name, new LinkedHashMap<>());
      }
      CliRunner alice = users.get("alice");
      CliRunner bob = users.get("bob");
      CliRunner carol = users.get("carol");
      ok(alice, "mkdir", "-p", "/projects/phoenix/drafts");
      for (int v = 1; v <= 3; v++) {
        okIn(alice, "plan, version " + v + "\n", "write", "/projects/phoenix/plan.txt");
      }
      // 5 MiB: two storage blocks
      byte[] bytes = new byte[5 * 1024 * 1024 + 17];
      new Random(3).nextBytes(bytes);
      big = tmp.resolve("big.bin");
      Files.write(big, bytes);
      ok(alice, "put", big.toString(), "/projects/phoenix/drafts/");
      okIn(alice, "private\n", "write", "/diary.txt");
      ok(alice, "share", "/projects/phoenix", "bob", "--read");
      ok(alice, "share", "/projects/phoenix/drafts", "carol", "--write");
      okIn(carol, "carol was here\n", "write", "@alice/drafts/from-carol.txt");
      okIn(bob, "bob's own\n", "write", "/notes.txt");
      okIn(bob, "bob's own, v2\n", "write", "/notes.txt");

      String plan = "plan, version 3\n";
      expect("alice", "/projects/phoenix/plan.txt", plan);
      expect("alice", "/diary.txt", "private\n");
      expect("alice", "/projects/phoenix/drafts/from-carol.txt", "carol was here\n");
      files.get("alice").put("/projects/phoenix/drafts/big.bin", bytes);
      expect("bob", "@alice/phoenix/plan.txt", plan);
      files.get("bob").put("@alice/phoenix/drafts/big.bin", bytes);
      expect("bob", "/notes.txt", "bob's own, v2\n");
      expect("carol", "@alice/drafts/from-carol.txt", "carol was here\n");
      files.get("carol").put("@alice/drafts/big.bin", bytes);
      for (String name : users.keySet()) {
        views.put(name, views(name));
      }
      assertThat(views.get("bob").get("shared --json")).contains("@alice/phoenix").contains("\"mode\":\"R\"");
      assertThat(views.get("carol").get("shared --json")).contains("@alice/drafts").contains("\"mode\":\"W\"");
    }
  }

  static void expect(String user, String path, String content) {
    files.get(user).put(path, content.getBytes(StandardCharsets.UTF_8));
  }

  /** What each user lists, with sizes, times and share modes: all of it from the metadata. */
  static final Map<String, List<List<String>>> LISTINGS =
      Map.of(
          "alice", List.of(List.of("ls", "-l", "--json", "/projects/phoenix/drafts"), List.of("shares", "--json")),
          "bob", List.of(List.of("ls", "-l", "--json", "@alice/phoenix"), List.of("shared", "--json")),
          "carol", List.of(List.of("shared", "--json")));

  static Map<String, String> views(String name) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (List<String> command : LISTINGS.get(name)) {
      seen.put(String.join(" ", command), ok(users.get(name), command.toArray(String[]::new)).stdout());
    }
    return seen;
  }

  static Result ok(CliRunner who, String... args) {
    return okIn(who, "", args);
  }

  static Result okIn(CliRunner who, String stdin, String... args) {
    Result r = who.run(stdin.getBytes(StandardCharsets.UTF_8), args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isZero();
    return r;
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
      for (var entry : users.entrySet()) {
        String name = entry.getKey();
        CliRunner who = entry.getValue().env("EDFS_SERVER", server.url());
        // sessions are not moved (and the port changed): log in again, with the same password
        ok(who, "login", name);
        for (var file : files.get(name).entrySet()) {
          if (file.getValue().length > 1024 * 1024) {
            Path copy = tmp.resolve(name + "-" + moves + ".bin");
            ok(who, "get", file.getKey(), copy.toString());
            assertThat(Files.mismatch(copy, big)).as("%s reads %s on %s", name, file.getKey(), label).isEqualTo(-1);
          } else {
            assertThat(ok(who, "cat", file.getKey()).stdoutBytes()).as("%s reads %s on %s", name, file.getKey(), label).isEqualTo(file.getValue());
          }
        }
        assertThat(views(name)).as("what %s sees on %s", name, label).isEqualTo(views.get(name));
      }
      // the moved database takes writes: a fourth version, by a grantee with WRITE
      CliRunner carol = users.get("carol");
      okIn(carol, "carol, again on " + label + "\n", "write", "@alice/drafts/from-carol.txt");
      assertThat(ok(users.get("alice"), "cat", "/projects/phoenix/drafts/from-carol.txt").stdout()).isEqualTo("carol, again on " + label + "\n");
      expect("alice", "/projects/phoenix/drafts/from-carol.txt", "carol, again on " + label + "\n");
      expect("carol", "@alice/drafts/from-carol.txt", "carol, again on " + label + "\n");
      for (String name : users.keySet()) {
        views.put(name, views(name));
      }
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
