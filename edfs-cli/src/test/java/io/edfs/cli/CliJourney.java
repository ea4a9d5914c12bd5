package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.protocol.Json;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.DatabaseDump;
import io.edfs.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole user journey through the real {@code edfs} command, one process per command,
 * against a real server process keeping its metadata on one engine ({@code edfs server --db}):
 * three users create, write, rename, move, delete and share. Afterwards no plaintext name or
 * content appears anywhere the server keeps data: its files, the database's files when they are
 * reachable, and every value of every table of the database.
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CliJourney {
  Path tmp;
  TestDatabase db;
  ServerProcess server;
  CliRunner alice;
  CliRunner bob;
  CliRunner carol;
  /** Every plaintext name and content used, to be searched for in the server's files. */
  final List<String> secrets = new ArrayList<>();

  /** The engine the server keeps its metadata in. */
  abstract Engine engine();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    db = TestDatabase.create(engine(), tmp.resolve("db"));
    server = ServerProcess.start(tmp.resolve("data"), List.of(), List.of("--db", db.url()), Map.of());
    alice = user("alice", "correct horse battery staple");
    bob = user("bob", "bob's long passphrase");
    carol = user("carol", "carol-pass-1234");
  }

  @AfterAll
  void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  CliRunner user(String name, String password) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home-" + name));
    return new CliRunner(home, server.url(), password);
  }

  Result ok(CliRunner who, String... args) {
    Result r = who.run(args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isZero();
    return r;
  }

  Result okIn(CliRunner who, String stdin, String... args) {
    Result r = who.run(stdin.getBytes(StandardCharsets.UTF_8), args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isZero();
    return r;
  }

  Result fails(CliRunner who, int code, String message, String... args) {
    Result r = who.run(args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isEqualTo(code);
    // a first contact may add a notice that the server's certificate was pinned
    List<String> lines = r.stderr().lines().filter(l -> !l.startsWith("edfs: pinned certificate")).toList();
    assertThat(lines).as("edfs %s: one clear line", String.join(" ", args)).hasSize(1);
    assertThat(lines.get(0)).startsWith("edfs: ").contains(message).doesNotContain("Exception");
    return r;
  }

  static List<String> names(Result ls) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode n : Json.mapper().readTree(ls.stdout())) {
      out.add(n.get("name").asText());
    }
    return out;
  }

  @Test
  @Order(1)
  @DisplayName("three users: create, write, rename, move, delete, share READ then WRITE, revoke")
  void journey() throws Exception {
    // sign up: each user gets a home folder; a second signup of the same name is refused
    assertThat(ok(alice, "signup", "alice").stdout()).contains("alice");
    ok(bob, "signup", "bob");
    ok(carol, "signup", "carol");
    fails(carol, 5, "taken", "signup", "alice");
    assertThat(ok(alice, "whoami").stdout()).startsWith("alice");
    assertThat(names(ok(alice, "ls", "--json"))).isEmpty();

    // folders and files
    secrets.addAll(List.of("Quarterly-Reports-Zq7", "Project-Phoenix-x9", "meeting-notes-k2.txt", "budget-2027-v3.bin", "renamed-plan-w4.txt"));
    ok(alice, "mkdir", "-p", "/Project-Phoenix-x9/Quarterly-Reports-Zq7");
    fails(alice, 5, "name exists", "mkdir", "/Project-Phoenix-x9");
    String notes = "The launch is on Tuesday; codeword ALBATROSS-4471.\n";
    secrets.add("ALBATROSS-4471");
    okIn(alice, notes, "write", "/Project-Phoenix-x9/meeting-notes-k2.txt");
    assertThat(ok(alice, "cat", "/Project-Phoenix-x9/meeting-notes-k2.txt").stdout()).isEqualTo(notes);

    // a 5 MiB file spans two storage blocks; its content is text we can search for later
    StringBuilder big = new StringBuilder();
    Random rnd = new Random(42);
    while (big.length() < 5 * 1024 * 1024) {
      big.append("LEDGER-ENTRY-").append(rnd.nextInt(1_000_000)).append(" amount=").append(rnd.nextInt(10_000)).append('\n');
    }
    secrets.add("LEDGER-ENTRY-");
    Path local = tmp.resolve("budget-2027-v3.bin");
    Files.writeString(local, big);
    Result put = ok(alice, "put", local.toString(), "/Project-Phoenix-x9/Quarterly-Reports-Zq7/");
    assertThat(put.stderr()).as("no progress bar when not on a terminal").doesNotContain("%");
    Path back = tmp.resolve("back.bin");
    ok(alice, "get", "/Project-Phoenix-x9/Quarterly-Reports-Zq7/budget-2027-v3.bin", back.toString());
    assertThat(Files.mismatch(local, back)).isEqualTo(-1);

    Result onTerminal = alice.runInTerminal("get", "/Project-Phoenix-x9/Quarterly-Reports-Zq7/budget-2027-v3.bin", tmp.resolve("tty.bin").toString());
    assertThat(onTerminal.exitCode()).as(onTerminal.toString()).isZero();
    assertThat(onTerminal.stdout()).as("a progress bar on a terminal").contains("100%").contains("5.0 MiB");

    JsonNode stat = Json.mapper().readTree(ok(alice, "stat", "--json", "/Project-Phoenix-x9/Quarterly-Reports-Zq7/budget-2027-v3.bin").stdout());
    assertThat(stat.get("size").asLong()).isEqualTo(Files.size(local));
    assertThat(stat.get("kind").asText()).isEqualTo("F");
    assertThat(names(ok(alice, "ls", "--json", "/Project-Phoenix-x9"))).containsExactly("Quarterly-Reports-Zq7", "meeting-notes-k2.txt");
    assertThat(ok(alice, "ls", "-l", "/Project-Phoenix-x9").stdout()).contains("meeting-notes-k2.txt").contains("Quarterly-Reports-Zq7/");

    // overwrite makes a new version; rename; move into a folder
    okIn(alice, notes + "Update: moved to Wednesday.\n", "write", "/Project-Phoenix-x9/meeting-notes-k2.txt");
    ok(alice, "mv", "/Project-Phoenix-x9/meeting-notes-k2.txt", "/Project-Phoenix-x9/renamed-plan-w4.txt");
    ok(alice, "mv", "/Project-Phoenix-x9/renamed-plan-w4.txt", "/Project-Phoenix-x9/Quarterly-Reports-Zq7");
    assertThat(names(ok(alice, "ls", "--json", "/Project-Phoenix-x9/Quarterly-Reports-Zq7"))).containsExactly("budget-2027-v3.bin", "renamed-plan-w4.txt");
    assertThat(ok(alice, "cat", "/Project-Phoenix-x9/Quarterly-Reports-Zq7/renamed-plan-w4.txt").stdout()).endsWith("Wednesday.\n");
    fails(alice, 3, "not found", "cat", "/Project-Phoenix-x9/meeting-notes-k2.txt");

    // delete: a file, then a non-empty folder only with -r
    secrets.add("scratch-folder-j8");
    ok(alice, "mkdir", "/scratch-folder-j8");
    okIn(alice, "temporary", "write", "/scratch-folder-j8/tmp.txt");
    fails(alice, 5, "not empty", "rm", "/scratch-folder-j8");
    ok(alice, "rm", "/scratch-folder-j8/tmp.txt");
    okIn(alice, "temporary again", "write", "/scratch-folder-j8/tmp2.txt");
    ok(alice, "rm", "-r", "/scratch-folder-j8");
    assertThat(names(ok(alice, "ls", "--json"))).containsExactly("Project-Phoenix-x9");

    // share READ: bob lists and reads, cannot write; carol sees nothing
    ok(alice, "share", "/Project-Phoenix-x9", "bob", "--read");
    assertThat(ok(alice, "shares").stdout()).contains("/Project-Phoenix-x9").contains("bob").contains("read");
    assertThat(ok(bob, "shared").stdout()).contains("@alice/Project-Phoenix-x9").contains("read");
    assertThat(names(ok(bob, "ls", "--json", "@alice/Project-Phoenix-x9"))).containsExactly("Quarterly-Reports-Zq7");
    assertThat(ok(bob, "cat", "@alice/Project-Phoenix-x9/Quarterly-Reports-Zq7/renamed-plan-w4.txt").stdout()).endsWith("Wednesday.\n");
    fails(bob, 4, "not allowed", "write", "@alice/Project-Phoenix-x9/Quarterly-Reports-Zq7/renamed-plan-w4.txt");
    fails(bob, 4, "not allowed", "mkdir", "@alice/Project-Phoenix-x9/bob-was-here");
    fails(carol, 3, "not found", "ls", "@alice/Project-Phoenix-x9");
    assertThat(ok(carol, "shared").stdout()).isEmpty();

    // share WRITE: bob's write lands and alice reads it; bob still cannot delete the shared folder
    ok(alice, "share", "/Project-Phoenix-x9", "bob", "--write");
    String fromBob = "Edited by bob: OSPREY-9921\n";
    secrets.add("OSPREY-9921");
    okIn(bob, fromBob, "write", "@alice/Project-Phoenix-x9/Quarterly-Reports-Zq7/renamed-plan-w4.txt");
    assertThat(ok(alice, "cat", "/Project-Phoenix-x9/Quarterly-Reports-Zq7/renamed-plan-w4.txt").stdout()).isEqualTo(fromBob);
    okIn(bob, "new file from bob", "write", "@alice/Project-Phoenix-x9/from-bob-q5.txt");
    secrets.add("from-bob-q5.txt");
    assertThat(names(ok(alice, "ls", "--json", "/Project-Phoenix-x9"))).containsExactly("Quarterly-Reports-Zq7", "from-bob-q5.txt");
    fails(bob, 4, "not allowed", "rm", "-r", "@alice/Project-Phoenix-x9");

    // a renamed shared folder keeps its grant under the new name
    ok(alice, "mv", "/Project-Phoenix-x9", "/Project-Phoenix-renamed-r1");
    secrets.add("Project-Phoenix-renamed-r1");
    assertThat(ok(bob, "shared").stdout()).contains("@alice/Project-Phoenix-renamed-r1");

    // revoke: bob is refused from that moment
    ok(alice, "unshare", "/Project-Phoenix-renamed-r1", "bob");
    fails(bob, 3, "not found", "cat", "@alice/Project-Phoenix-renamed-r1/from-bob-q5.txt");
    assertThat(ok(bob, "shared").stdout()).isEmpty();

    // clear one-line errors
    fails(alice, 7, "invalid", "mkdir", "/" + "x".repeat(300));
    fails(alice, 7, "'..' is not a name", "mkdir", "/a/../b");
    ok(bob, "mkdir", "/mine");
    fails(bob, 3, "unknown user 'nobody'", "share", "/mine", "nobody", "--read");
    CliRunner wrong = user("alice2", "not her password");
    fails(wrong, 4, "wrong username or password", "login", "alice");
    fails(wrong.env("EDFS_SERVER", "https://127.0.0.1:1"), 6, "server unreachable", "login", "alice");

    // a session's token never goes to another server than the one it came from
    CliRunner elsewhere = new CliRunner(tmp.resolve("home-alice"), "https://127.0.0.1:1", "x");
    fails(elsewhere, 4, "logged in to " + server.url(), "ls");

    // logout revokes the session: the next command asks to log in
    ok(carol, "logout");
    fails(carol, 4, "not logged in", "ls");
    ok(carol, "login", "carol");
    ok(carol, "ls");
  }

  @Test
  @Order(2)
  @DisplayName("a changed server certificate is refused with a clear error")
  void changedCertificate() throws Exception {
    CliRunner dave = user("dave", "dave password 1");
    String hostPort = server.url().substring("https://".length());
    Path home = tmp.resolve("home-dave");
    Files.writeString(home.resolve("known_servers"), hostPort + " " + "AB:".repeat(31) + "AB\n");
    fails(dave, 6, "certificate changed", "signup", "dave");
  }

  @Test
  @Order(3)
  @DisplayName("after the journey, no plaintext name or content is in the server's files or database")
  void ciphertextOnly() throws Exception {
    assertThat(secrets).as("the journey ran first").isNotEmpty();
    server.close();
    server = null;
    // the data folder (blocks, TLS, secret) and, for SQLite, the database file and its journal
    List<Path> files;
    try (Stream<Path> walk = Stream.concat(Files.walk(tmp.resolve("data")), walkIfExists(tmp.resolve("db")))) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files.stream().filter(f -> f.toString().contains("/blocks/")).count())
        .as("the server stored blocks")
        .isGreaterThanOrEqualTo(3);
    if (engine() == Engine.SQLITE) {
      assertThat(files).as("the database file is scanned").anyMatch(f -> f.getFileName().toString().startsWith(db.name() + ".db"));
    }
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      for (String secret : secrets) {
        assertThat(indexOf(bytes, secret.getBytes(StandardCharsets.UTF_8)))
            .as("plaintext '%s' found in %s", secret, tmp.relativize(f))
            .isEqualTo(-1);
      }
    }
    // what anyone who can query the database sees, on every engine
    DatabaseDump dump = DatabaseDump.of(db.url());
    assertThat(dump.rows().values().stream().mapToInt(Integer::intValue).sum())
        .as("the journey left rows in the database (%s)", dump.rows())
        .isGreaterThanOrEqualTo(20);
    assertThat(dump.cells())
        .as("the dump sees stored text: usernames are kept in clear by design")
        .anyMatch(c -> indexOf(c.value(), "carol".getBytes(StandardCharsets.UTF_8)) >= 0);
    for (DatabaseDump.Cell cell : dump.cells()) {
      for (String secret : secrets) {
        assertThat(indexOf(cell.value(), secret.getBytes(StandardCharsets.UTF_8)))
            .as("plaintext '%s' found in %s.%s", secret, cell.table(), cell.column())
            .isEqualTo(-1);
      }
    }
  }

  private static Stream<Path> walkIfExists(Path dir) throws java.io.IOException {
    return Files.isDirectory(dir) ? Files.walk(dir) : Stream.empty();
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
