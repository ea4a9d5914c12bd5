package io.edfs.cli;

import static io.edfs.cli.SampleUsers.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole folders through the {@code edfs} command: {@code put -r} and {@code get -r} against a real
 * server process, each command a fresh process as a user types it.
 */
@TestInstance(Lifecycle.PER_CLASS)
@DisplayName("put -r and get -r")
class TreeTransferIT {
  Path tmp;
  ServerProcess server;
  CliRunner alice;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    server = ServerProcess.start(tmp.resolve("data"), List.of());
    alice = new CliRunner(Files.createDirectories(tmp.resolve("home")), server.url(), "alice's tree passphrase");
    ok(alice, "signup", "alice");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Every file and folder below {@code root}, as relative path -> content ("/" for a folder). */
  static TreeMap<String, String> tree(Path root) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(p -> !p.equals(root)).toList()) {
        String rel = root.relativize(p).toString();
        out.put(rel, Files.isDirectory(p) ? "/" : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    return out;
  }

  /** Every file's modification time below {@code root}, by relative path, to the millisecond. */
  static TreeMap<String, Long> times(Path root) throws IOException {
    TreeMap<String, Long> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }

  Path sampleTree(String name) throws IOException {
    Path root = Files.createDirectories(tmp.resolve(name));
    Random rnd = new Random(42);
    Files.createDirectories(root.resolve("empty/also empty"));
    Path docs = Files.createDirectories(root.resolve("Dokumente/日本語 フォルダ/ünïcødé"));
    Files.writeString(docs.resolve("Ärger & Übermut — résumé.txt"), "grüße\n");
    Files.writeString(root.resolve("Dokumente/日本語 フォルダ/ファイル.md"), "# 見出し\n");
    Files.writeString(root.resolve("emoji 🎉 name.txt"), "party\n");
    Files.write(root.resolve("zero bytes"), new byte[0]);
    byte[] big = new byte[5 * 1024 * 1024 + 17]; // two storage blocks
    rnd.nextBytes(big);
    Files.write(root.resolve("Dokumente/big.bin"), big);
    for (int i = 0; i < 40; i++) {
      byte[] b = new byte[rnd.nextInt(9000)];
      rnd.nextBytes(b);
      Files.write(root.resolve("f" + i + ".bin"), b);
    }
    // every file's own time, in the past and distinct, to the millisecond
    long t = Instant.parse("2001-02-03T04:05:06.789Z").toEpochMilli();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
        Files.setLastModifiedTime(f, FileTime.fromMillis(t += 60_001));
      }
    }
    return root;
  }

  @Test
  @DisplayName("a tree goes up and comes down identical: unicode names, empty folders, empty and multi-block files")
  void roundTrip() throws Exception {
    Path src = sampleTree("src");
    Result put = ok(alice, "put", "-r", src.toString(), "/Backup/2026");
    assertThat(put.stdout()).contains("put: 45 file(s)").contains("and 5 folder(s)").contains(", 0 failed");
    assertThat(ok(alice, "ls", "/Backup/2026/Dokumente/日本語 フォルダ").stdout()).isEqualTo("ünïcødé/\nファイル.md\n");
    assertThat(ok(alice, "ls", "/Backup/2026/empty").stdout()).isEqualTo("also empty/\n");

    // again: the names exist, so each file gets a new version (the batches fall back to one by one)
    Result again = ok(alice, "put", "-r", src.toString(), "/Backup/2026");
    assertThat(again.stdout()).contains("put: 45 file(s)").contains(", 0 failed");
    assertThat(ok(alice, "stat", "/Backup/2026/f7.bin").stdout()).contains("version: 2");

    Path back = tmp.resolve("back");
    Result get = ok(alice, "get", "-r", "/Backup/2026", back.toString());
    assertThat(get.stdout()).contains("get: 45 file(s)").contains(", 0 failed");
    assertThat(tree(back)).isEqualTo(tree(src));
    assertThat(times(back)).isEqualTo(times(src)); // each file's own time came back
    assertThat(ok(alice, "ls", "-l", "/Backup/2026").stdout()).contains("2001-02-0"); // ls -l shows it too

    // the time and the content's hash travel encrypted with each version
    Path f7 = src.resolve("f7.bin");
    String stat = ok(alice, "stat", "/Backup/2026/f7.bin").stdout();
    assertThat(stat).contains("modified: " + Files.getLastModifiedTime(f7).toInstant());
    assertThat(stat).contains("sha256: " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f7))));
    Path big = src.resolve("Dokumente/big.bin");
    assertThat(ok(alice, "stat", "/Backup/2026/Dokumente/big.bin").stdout())
        .contains("sha256: " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(big))));

    // the same command again finds everything in place and fetches nothing
    Result unchanged = ok(alice, "get", "-r", "/Backup/2026", back.toString());
    assertThat(unchanged.stdout()).contains("get: 0 file(s) (0 B)").contains("45 unchanged").contains(", 0 failed");
    assertThat(tree(back)).isEqualTo(tree(src));
  }

  @Test
  @DisplayName("-v names every file, -q prints nothing, and --transfers 1 gives the same tree")
  void verboseQuietTransfers() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("vq/in/sub"));
    Files.writeString(src.resolve("a.txt"), "a");
    Files.writeString(src.getParent().resolve("b.txt"), "b");
    Result v = ok(alice, "put", "-r", "-v", "--transfers", "1", src.getParent().toString(), "/vq");
    assertThat(v.stdout().lines().filter(l -> l.startsWith("put ")).toList()).hasSize(2);
    Result q = ok(alice, "get", "-r", "-q", "/vq", tmp.resolve("vq/out").toString());
    assertThat(q.stdout()).isEmpty();
    assertThat(q.stderr()).isEmpty();
    assertThat(tree(tmp.resolve("vq/out"))).isEqualTo(tree(src.getParent()));
    assertThat(alice.run("put", "-r", "--transfers", "0", src.toString(), "/vq").exitCode()).isEqualTo(7);
  }

  @Test
  @DisplayName("a file that fails does not stop the others; the command names it and exits non-zero")
  void failureInTheMiddle() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("mixed"));
    for (int i = 0; i < 20; i++) {
      Files.writeString(src.resolve("good" + i + ".txt"), "good " + i);
    }
    // a name edfs refuses (a control character), among good ones
    Files.writeString(src.resolve("bad\u0007name.txt"), "bad");
    Result put = alice.run("put", "-r", src.toString(), "/mixed");
    assertThat(put.exitCode()).as(put.toString()).isEqualTo(1);
    assertThat(put.stderr()).contains("bad\u0007name.txt").contains("invalid name");
    assertThat(put.stdout()).contains("put: 20 file(s)").contains(", 1 failed");
    assertThat(ok(alice, "ls", "/mixed").stdout().lines().count()).isEqualTo(20);

    // on the way down, a different local file in the way is refused, the rest arrives
    Path out = Files.createDirectories(tmp.resolve("mixed-out"));
    Files.writeString(out.resolve("good3.txt"), "mine, not yours");
    Result get = alice.run("get", "-r", "/mixed", out.toString());
    assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
    assertThat(get.stderr()).contains("local " + out.resolve("good3.txt") + ": exists; use --force to replace it");
    assertThat(get.stdout()).contains("get: 19 file(s)").contains(", 1 failed");
    assertThat(Files.readString(out.resolve("good3.txt"))).isEqualTo("mine, not yours");
    assertThat(Files.readString(out.resolve("good7.txt"))).isEqualTo("good 7");
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".edfs-part"));
    }

    Result forced = ok(alice, "get", "-r", "--force", "/mixed", out.toString());
    assertThat(forced.stdout()).contains("get: 1 file(s)").contains("19 unchanged");
    assertThat(Files.readString(out.resolve("good3.txt"))).isEqualTo("good 3");
    // a downloaded file carries the remote modification time, which is how a rerun knows it
    FileTime t = Files.getLastModifiedTime(out.resolve("good3.txt"));
    assertThat(t.toInstant()).isBefore(java.time.Instant.now().plusSeconds(1));
  }

  @Test
  @DisplayName("a missing local folder, a remote file for -r and a missing remote folder are clear errors")
  void wrongArguments() throws Exception {
    Result noLocal = alice.run("put", "-r", tmp.resolve("nope").toString(), "/x");
    assertThat(noLocal.exitCode()).isEqualTo(3);
    assertThat(noLocal.stderr()).contains("local " + tmp.resolve("nope"));
    Result noRemote = alice.run("get", "-r", "/no/such/folder", tmp.resolve("nr").toString());
    assertThat(noRemote.exitCode()).isEqualTo(3);
    assertThat(noRemote.stderr()).contains("remote /no");
    Files.writeString(tmp.resolve("plain.txt"), "plain");
    Files.setLastModifiedTime(tmp.resolve("plain.txt"), FileTime.from(Instant.parse("1999-12-31T23:59:59.123Z")));
    ok(alice, "put", tmp.resolve("plain.txt").toString(), "/plain.txt");
    // a single put and get keep the file's time too
    ok(alice, "get", "/plain.txt", tmp.resolve("plain-back.txt").toString());
    assertThat(Files.getLastModifiedTime(tmp.resolve("plain-back.txt")).toInstant()).isEqualTo(Instant.parse("1999-12-31T23:59:59.123Z"));
    // a target folder that cannot be made is one failure, not one per file below it
    Path five = Files.createDirectories(tmp.resolve("five"));
    for (int i = 0; i < 5; i++) {
      Files.writeString(five.resolve("f" + i), "x");
    }
    Result intoFile = alice.run("put", "-r", five.toString(), "/plain.txt");
    assertThat(intoFile.exitCode()).isEqualTo(1);
    assertThat(intoFile.stderr().lines().toList()).hasSize(2);
    assertThat(intoFile.stderr()).contains("/plain.txt").contains("5 file(s) in the folder(s) above were not sent");
    assertThat(intoFile.stdout()).contains(", 6 failed"); // the folder and the 5 files
    Result fileForR = alice.run("get", "-r", "/plain.txt", tmp.resolve("pr").toString());
    assertThat(fileForR.exitCode()).isEqualTo(7);
    assertThat(fileForR.stderr()).contains("/plain.txt").contains("not a folder");
  }

  @Test
  @DisplayName("a folder of 10,000 entries goes up and comes down whole")
  void tenThousandEntries() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("many"));
    for (int i = 0; i < 10_000; i++) {
      Files.writeString(src.resolve(String.format("entry-%05d", i)), Integer.toString(i));
    }
    Result put = ok(alice, "put", "-r", src.toString(), "/many");
    assertThat(put.stdout()).contains("put: 10,000 file(s)").contains(", 0 failed");
    System.out.println("10,000 entries: " + put.stdout().strip());
    assertThat(ok(alice, "ls", "/many").stdout().lines().count()).isEqualTo(10_000);
    // a second sync of the unchanged tree sends nothing
    long start = System.nanoTime();
    Result sync = ok(alice, "sync", src.toString(), "edfs:/many");
    System.out.printf("10,000 entries: second sync in %.2f s: %s%n", (System.nanoTime() - start) / 1e9, sync.stdout().strip());
    assertThat(sync.stdout()).contains("sync: 0 file(s) (0 B)").contains("10000 unchanged");
    Path back = tmp.resolve("many-back");
    Result get = ok(alice, "get", "-r", "/many", back.toString());
    System.out.println("10,000 entries: " + get.stdout().strip());
    assertThat(tree(back)).isEqualTo(tree(src));
  }
}
