package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("edfs admin, in process")
class AdminCommandsTest {
  @TempDir Path tmp;
  Path data;

  record Run(int code, byte[] out, String err) {
    String stdout() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  static Run edfs(Map<String, String> env, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = Main.run(args, env, new PrintStream(out), new PrintStream(err));
    return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  static Run edfs(String... args) {
    return edfs(Map.of(), args);
  }

  /** A dump of one user with a home folder (dumps are data: any engine's edfs reads this). */
  static byte[] oneUserDump() throws Exception {
    String user = "0b6e6a5e-1111-4222-8333-444455556666";
    String home = "1c7f7b6f-1111-4222-8333-444455556666";
    String lines =
        """
        {"format":"edfs-metadata-dump","version":1,"schema":"1"}
        {"table":"users","columns":["id","username","auth_hash","kdf_salt","kdf_memory_kib","kdf_iterations","kdf_parallelism","public_keys","private_keys_enc","recovery_enc","home_node_id","quota_bytes","used_bytes","created_at"]}
        ["USER","alice","AAEC","AwQF",65536,3,1,"BgcI","CQoL",null,"HOME",9223372036854775807,0,1700000000000]
        {"table":"nodes","columns":["id","parent_id","owner_id","kind","enc_name","wrapped_key","current_version_id","size","created_at","modified_at"]}
        ["HOME",null,"USER","D",null,"DA0O",null,0,1700000000000,1700000000000]
        {"table":"versions","columns":["id","node_id","seq","size","segment_size","author_id","created_at"]}
        {"table":"blocks","columns":["hash","length","refs","created_at"]}
        {"table":"version_blocks","columns":["version_id","idx","block_hash","length"]}
        {"table":"grants","columns":["node_id","grantee_id","mode","sealed_key","granted_by","created_at"]}
        {"end":"edfs-metadata-dump","rows":{"users":1,"nodes":1,"versions":0,"blocks":0,"version_blocks":0,"grants":0}}
        """
            .replace("USER", user)
            .replace("HOME", home);
    var out = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(out)) {
      gz.write(lines.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  Path given;

  @BeforeEach
  void loadOneUser() throws Exception {
    given = write("given.dump.gz", oneUserDump());
    data = tmp.resolve("data");
    Run loaded = edfs("admin", "load", "--from", given.toString(), "--data", data.toString());
    assertThat(loaded.code()).as(loaded.err()).isZero();
    assertThat(loaded.stdout())
        .startsWith("edfs admin: loaded 2 rows (users 1, nodes 1, versions 0,")
        .contains("into the SQLite database " + data.toAbsolutePath().resolve("edfs.db"));
  }

  Path write(String name, byte[] content) throws Exception {
    return Files.write(tmp.resolve(name), content);
  }

  @Test
  @DisplayName("dumps to a file or to standard output; the dump loads elsewhere")
  void dumpAndLoad() throws Exception {
    Path dump = tmp.resolve("d.gz");
    Run dumped = edfs("admin", "dump", "--data", data.toString(), "--to", dump.toString());
    assertThat(dumped.code()).as(dumped.err()).isZero();
    assertThat(dumped.stdout()).startsWith("edfs admin: dumped 2 rows (users 1, nodes 1,").contains(" to " + dump);

    Run toStdout = edfs("admin", "dump", "--data", data.toString(), "--to", "-");
    assertThat(toStdout.code()).isZero();
    assertThat(toStdout.err()).contains("edfs admin: dumped 2 rows").contains("to standard output");
    try (var in = new GZIPInputStream(new ByteArrayInputStream(toStdout.out()))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .startsWith("{\"format\":\"edfs-metadata-dump\"")
          .contains("\"alice\"");
    }

    Run elsewhere = edfs(Map.of("EDFS_DB", "jdbc:sqlite:" + tmp.resolve("env.db")), "admin", "load", "--from", dump.toString());
    assertThat(elsewhere.code()).as(elsewhere.err()).isZero();
    assertThat(elsewhere.stdout()).contains("users 1,").contains("into the SQLite database " + tmp.resolve("env.db"));
  }

  @Test
  @DisplayName("a refused load exits with one line: 7 not a dump, 8 truncated, 5 not empty")
  void refusals() throws Exception {
    Run notADump = edfs("admin", "load", "--from", write("x", "hello".getBytes(StandardCharsets.UTF_8)).toString(), "--data", tmp.resolve("a").toString());
    assertThat(notADump.code()).isEqualTo(7);
    assertThat(notADump.err()).startsWith("edfs: not an edfs metadata dump").hasLineCount(1);

    byte[] whole = Files.readAllBytes(given);
    Path cut = write("cut", Arrays.copyOf(whole, whole.length - 12));
    Run truncated = edfs("admin", "load", "--from", cut.toString(), "--data", tmp.resolve("b").toString());
    assertThat(truncated.code()).isEqualTo(8);
    assertThat(truncated.err()).startsWith("edfs: the dump ends early: it is truncated").hasLineCount(1);

    Run notEmpty = edfs("admin", "load", "--from", given.toString(), "--data", data.toString());
    assertThat(notEmpty.code()).isEqualTo(5);
    assertThat(notEmpty.err()).startsWith("edfs: the target database is not empty (it holds users, nodes)").hasLineCount(1);
  }

  @Test
  @DisplayName("dumps nothing from a data folder without a database, and never prints a password")
  void noDatabase() {
    Path none = tmp.resolve("none.gz");
    Run blank = edfs("admin", "dump", "--data", tmp.resolve("blank").toString(), "--to", none.toString());
    assertThat(blank.code()).isEqualTo(1);
    assertThat(blank.err()).isEqualTo("edfs: no edfs database at " + tmp.resolve("blank").toAbsolutePath().resolve("edfs.db") + "\n");
    assertThat(none).doesNotExist();
    assertThat(tmp.resolve("blank")).doesNotExist();

    Run remote = edfs(Map.of("EDFS_DB", "jdbc:postgresql://127.0.0.1:1/x?user=edfs&password=hunter2"), "admin", "dump", "--to", none.toString());
    assertThat(remote.code()).isNotZero();
    assertThat(remote.err()).doesNotContain("hunter2").contains("password=***").hasLineCount(1);
  }

  @Test
  @DisplayName("backs up and restores; a refused restore exits with one line: 5 not empty, 3 no backup or snapshot, 5 another secret")
  void backupAndRestore() throws Exception {
    Files.write(data.resolve("server.secret"), new byte[32]);
    Path backup = tmp.resolve("backup");
    Run b = edfs("admin", "backup", "--data", data.toString(), "--to", backup.toString());
    assertThat(b.code()).as(b.err()).isZero();
    assertThat(b.stdout())
        .startsWith("edfs admin: backed up snapshot ")
        .contains(" to folder " + backup + ": 2 rows (users 1, nodes 1,")
        .contains("blocks: 0 copied (0 B), 0 already present in the backup;");

    Run restored = edfs("admin", "restore", "--from", backup.toString(), "--data", tmp.resolve("restored").toString());
    assertThat(restored.code()).as(restored.err()).isZero();
    assertThat(restored.stdout()).startsWith("edfs admin: restored snapshot ").contains("2 rows (users 1, nodes 1,");
    assertThat(tmp.resolve("restored/server.secret")).hasSameBinaryContentAs(data.resolve("server.secret"));

    Run notEmpty = edfs("admin", "restore", "--from", backup.toString(), "--data", data.toString());
    assertThat(notEmpty.code()).isEqualTo(5);
    assertThat(notEmpty.err()).startsWith("edfs: the target database is not empty").hasLineCount(1);

    Run noBackup = edfs("admin", "restore", "--from", tmp.resolve("nowhere").toString(), "--data", tmp.resolve("c").toString());
    assertThat(noBackup.code()).isEqualTo(3);
    assertThat(noBackup.err()).startsWith("edfs: there is no backup folder").hasLineCount(1);

    Run noSnapshot = edfs("admin", "restore", "--from", backup.toString(), "--snapshot", "20200101T000000.000Z", "--data", tmp.resolve("c").toString());
    assertThat(noSnapshot.code()).isEqualTo(3);
    assertThat(noSnapshot.err()).contains("has no snapshot 20200101T000000.000Z; it has 20").hasLineCount(1);

    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.write(other.resolve("server.secret"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    Run otherSecret = edfs("admin", "restore", "--from", backup.toString(), "--data", other.toString());
    assertThat(otherSecret.code()).isEqualTo(5);
    assertThat(otherSecret.err()).contains("holds another server secret than the backup").hasLineCount(1);
    assertThat(other.resolve("edfs.db")).doesNotExist();
  }

  @Test
  @DisplayName("fsck exits 0 on a sound installation; repair refuses a store that is no mirror with 7")
  void fsckAndRepair() {
    Run fsck = edfs("admin", "fsck", "--data", data.toString());
    assertThat(fsck.code()).as(fsck.err()).isZero();
    assertThat(fsck.stdout()).startsWith("edfs admin: fsck of the SQLite database").endsWith("OK: no findings\n");

    Run repair = edfs("admin", "repair", "--data", data.toString());
    assertThat(repair.code()).isEqualTo(7);
    assertThat(repair.err()).startsWith("edfs: edfs admin repair mends a mirrored block store").hasLineCount(1);
  }

  @Test
  @DisplayName("usage errors exit 2")
  void usage() {
    assertThat(edfs("admin").code()).isEqualTo(2);
    assertThat(edfs("admin", "backup").err()).contains("Missing required option: '--to=DIR'");
    assertThat(edfs("admin", "restore").err()).contains("Missing required option: '--from=DIR'");
    assertThat(edfs("admin", "dump").err()).contains("Missing required option: '--to=FILE'");
    Run badUrl = edfs("admin", "load", "--from", "x", "--db", "jdbc:oracle:thin:@h");
    assertThat(badUrl.code()).isEqualTo(2);
    assertThat(badUrl.err()).contains("unsupported database URL");
  }
}
