package io.edfs.cli;

import static io.edfs.cli.SampleUsers.okIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.ServerProcess;
import io.edfs.tests3.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Backup and disaster recovery with real processes: an installation on SQLite and the local disk
 * is backed up twice while its server runs, then rebuilt on MariaDB and an S3 bucket (a real S3
 * server) by following the README's runbook command by command, where every user finds their
 * files and shares again; fsck then finds damage done to the rebuilt installation.
 */
@DisplayName("edfs admin backup, restore and fsck")
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreIT {
  private static final Pattern COPIED =
      Pattern.compile("blocks: ([\\d,]+) copied \\(([^)]*)\\), ([\\d,]+) already present");
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot (\\d{8}T\\d{6}\\.\\d{3}Z)");

  Path tmp;
  Path data;
  Path backup;
  SampleUsers users;
  String newest;
  TestDatabase db;
  S3Server s3;
  String bucket;
  /** The runbook's values, replaced by this test's. */
  final Map<String, String> places = new LinkedHashMap<>();
  final Map<String, String> runbookEnv = new HashMap<>();

  /** Runs {@code edfs admin ...} as the administrator: no user, no server. */
  Result admin(Map<String, String> env, String... args) {
    CliRunner operator = new CliRunner(tmp, "https://127.0.0.1:1", "unused").env("EDFS_PASSWORD", null);
    env.forEach(operator::env);
    return operator.run(args);
  }

  Result admin(String... args) {
    return admin(Map.of(), args);
  }

  static long[] copied(Result backup) {
    Matcher m = COPIED.matcher(backup.stdout());
    assertThat(m.find()).as("a summary of the blocks copied\n%s", backup).isTrue();
    return new long[] {
      Long.parseLong(m.group(1).replace(",", "")), Long.parseLong(m.group(3).replace(",", ""))
    };
  }

  @BeforeAll
  void populateAndBackUp(@TempDir Path dir) throws Exception {
    tmp = dir;
    data = tmp.resolve("data");
    backup = tmp.resolve("backup");
    try (ServerProcess server = ServerProcess.start(data, List.of())) {
      users = new SampleUsers(tmp).populate(server.url());

      // while the server runs
      Result first = admin("admin", "backup", "--data", data.toString(), "--to", backup.toString());
      assertThat(first.exitCode()).as("the first backup\n%s", first).isZero();
      System.out.println(first.stdout());
      assertThat(first.stdout()).contains("users 3,").contains("grants 2");
      long[] firstCopy = copied(first);
      assertThat(firstCopy[0]).as("blocks copied").isGreaterThanOrEqualTo(8);
      assertThat(firstCopy[1]).as("blocks already present").isZero();
      assertThat(Files.getPosixFilePermissions(backup.resolve("server.secret")))
          .hasToString("[OWNER_READ, OWNER_WRITE]");

      okIn(users.users.get("alice"), "after the first backup\n", "write", "/added.txt");
      users.expect("alice", "/added.txt", "after the first backup\n");
      Result second = admin("admin", "backup", "--data", data.toString(), "--to", backup.toString());
      assertThat(second.exitCode()).as("the second backup\n%s", second).isZero();
      System.out.println(second.stdout());
      assertThat(copied(second)).as("only the new file's block is copied").containsExactly(1, firstCopy[0]);
      Matcher name = SNAPSHOT.matcher(second.stdout());
      assertThat(name.find()).isTrue();
      newest = name.group(1);
    }
    try (Stream<Path> snapshots = Files.list(backup.resolve("snapshots"))) {
      assertThat(snapshots).hasSize(2);
    }
  }

  @AfterAll
  void dropDatabase() {
    if (db != null) {
      db.close();
    }
  }

  /** The runbook's commands, as the README has them: each a list of words. */
  static List<List<String>> runbook() throws Exception {
    List<String> readme = Files.readAllLines(Path.of(System.getProperty("edfs.readme")));
    int start = -1;
    for (int i = 0; i < readme.size(); i++) {
      if (readme.get(i).contains("BackupRestoreIT runs the commands of this runbook")) {
        start = i;
      }
    }
    assertThat(start).as("the README's runbook marker").isNotNegative();
    List<List<String>> commands = new ArrayList<>();
    for (String line : readme.subList(start + 1, readme.size())) {
      String l = line.strip();
      if (l.startsWith("## ")) {
        break;
      }
      if (l.startsWith("./edfs ") || l.startsWith("export ")) {
        commands.add(Arrays.asList(l.split("\\s+")));
      }
    }
    return commands;
  }

  String place(String word) {
    String w = word;
    for (var p : places.entrySet()) {
      w = w.replace(p.getKey(), p.getValue());
    }
    return w;
  }

  @Test
  @Order(1)
  @DisplayName("the README's runbook rebuilds the installation on MariaDB and S3, where every user finds everything again")
  void runbookOnMariaDbAndS3() throws Exception {
    db = TestDatabase.create(Engine.MARIADB, tmp.resolve("db"));
    s3 = S3Server.shared();
    bucket = s3.createBucket();
    Path restored = tmp.resolve("restored");
    places.put("/mnt/backup/edfs", backup.toString());
    places.put("file:/srv/edfs-blocks", s3.blockStoreUri(bucket, "blocks"));
    places.put("/srv/edfs", restored.toString());
    places.put("jdbc:mariadb://127.0.0.1:3306/edfs?user=edfs&password=pw", db.url());

    List<List<String>> commands = runbook();
    assertThat(commands)
        .extracting(c -> c.get(0).equals("export") ? "export" : c.get(1) + (c.get(1).equals("admin") ? " " + c.get(2) : ""))
        .containsExactly("export", "admin restore", "admin fsck", "server", "login");

    for (List<String> command : commands.subList(0, 3)) {
      if (command.get(0).equals("export")) {
        String[] assignment = command.get(1).split("=", 2);
        runbookEnv.put(assignment[0], place(assignment[1].replaceAll("^'|'$", "")));
        continue;
      }
      String[] args = command.stream().skip(1).map(this::place).toArray(String[]::new);
      Result r = admin(runbookEnv, args);
      System.out.println(r.stdout());
      assertThat(r.exitCode()).as("%s\n%s", command, r).isZero();
      assertThat(r.stdout() + r.stderr()).as("no S3 secret key in the output").doesNotContain(s3.secretKey());
      if (command.get(2).equals("restore")) {
        assertThat(r.stdout()).contains("restored snapshot " + newest).contains("MariaDB").contains("S3 bucket " + bucket + " (prefix blocks/)");
        assertThat(copied(r)[0]).isPositive();
      } else {
        assertThat(r.stdout()).contains("OK: no findings");
      }
    }

    List<String> server = commands.get(3).stream().skip(2).map(this::place).toList();
    int data = server.indexOf("--data");
    assertThat(server.get(data + 1)).isEqualTo(restored.toString());
    List<String> serverArgs = new ArrayList<>(server);
    serverArgs.subList(data, data + 2).clear(); // ServerProcess names the data folder (and port 0)
    try (ServerProcess process = ServerProcess.start(restored, List.of(), serverArgs, runbookEnv)) {
      places.put("https://edfs.example:8443", process.url());
      List<String> login = commands.get(4).stream().skip(1).map(this::place).toList();
      users.check(
          "the restored installation",
          (name, who) ->
              who.env("EDFS_SERVER", null)
                  .run(login.stream().map(w -> w.equals("alice") ? name : w).toArray(String[]::new)));
    }
  }

  @Test
  @Order(2)
  @DisplayName("fsck finds a deleted block, a corrupted block and a wrong refs count, naming no file; --repair fixes the count")
  void fsck() throws Exception {
    assertThat(db).as("the restored installation").isNotNull();
    List<String> fsck = runbook().get(2).stream().skip(1).map(this::place).toList();
    List<Path> blocks =
        s3.keys(bucket).stream()
            .filter(key -> key.matches(".*/[0-9a-f]{64}")) // not the store's marker .edfs-store
            .map(key -> s3.object(bucket, key))
            .toList();
    assertThat(blocks).as("the restored blocks, in the bucket").hasSizeGreaterThan(3);
    Path deleted = blocks.get(0);
    Path corrupted = blocks.get(1);
    String miscounted = blocks.get(2).getFileName().toString();
    Files.delete(deleted);
    byte[] bytes = Files.readAllBytes(corrupted);
    bytes[bytes.length - 1] ^= 1;
    Files.write(corrupted, bytes);
    try (Connection c = DriverManager.getConnection(db.url());
        PreparedStatement ps = c.prepareStatement("UPDATE blocks SET refs = refs + 3 WHERE hash = ?")) {
      ps.setString(1, miscounted);
      assertThat(ps.executeUpdate()).isOne();
    }

    Result found = admin(runbookEnv, fsck.toArray(String[]::new));
    System.out.println(found.stdout());
    assertThat(found.exitCode()).as(found.toString()).isEqualTo(8);
    assertThat(found.stdout())
        .contains("missing block: block " + deleted.getFileName())
        .contains("corrupt block: block " + corrupted.getFileName())
        .contains("wrong refs count: block " + miscounted)
        .contains("lost file version: file ")
        .contains("PROBLEMS: 1 wrong refs count, 1 missing block, 1 corrupt block")
        .doesNotContain("big.bin")
        .doesNotContain("plan.txt");
    assertThat(found.stderr()).contains("problem(s) remain").contains("--repair");

    List<String> repair = new ArrayList<>(fsck);
    repair.add("--repair");
    Result repaired = admin(runbookEnv, repair.toArray(String[]::new));
    assertThat(repaired.exitCode()).as(repaired.toString()).isEqualTo(8);
    assertThat(repaired.stdout())
        .containsPattern("wrong refs count: block " + miscounted + " .* \\[repaired\\]")
        .contains("PROBLEMS: 1 wrong refs count (1 repaired), 1 missing block, 1 corrupt block");

  }
}
