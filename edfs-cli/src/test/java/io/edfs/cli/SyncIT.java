package io.edfs.cli;

import static io.edfs.cli.SampleUsers.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;

/** {@code edfs sync} both ways against a real server process, each command a fresh process. */
@TestInstance(Lifecycle.PER_CLASS)
@DisplayName("edfs sync")
class SyncIT {
  Path tmp;
  ServerProcess server;
  CliRunner alice;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    server = ServerProcess.start(tmp.resolve("data"), List.of());
    alice = new CliRunner(Files.createDirectories(tmp.resolve("home")), server.url(), "alice's sync passphrase");
    ok(alice, "signup", "alice");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static void write(Path p, String content, long mtimeMillis) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
  }

  @Test
  @DisplayName("up: copies what is missing or changed, nothing the second time, deletes only with --delete")
  void up() throws Exception {
    Path src = tmp.resolve("up");
    long t = 1_600_000_000_000L;
    write(src.resolve("a.txt"), "alpha", t);
    write(src.resolve("docs/b.txt"), "bravo", t + 1000);
    write(src.resolve("docs/deep/c.txt"), "charlie", t + 2000);
    Files.createDirectories(src.resolve("empty"));

    Result first = ok(alice, "sync", src.toString(), "edfs:/up");
    assertThat(first.stdout()).contains("sync: 3 file(s)").contains(", 0 failed");
    assertThat(ok(alice, "ls", "/up").stdout()).isEqualTo("a.txt\ndocs/\nempty/\n");

    Result again = ok(alice, "sync", src.toString(), "edfs:/up");
    assertThat(again.stdout()).contains("sync: 0 file(s) (0 B)").contains("3 unchanged");

    // a changed file (new content and time) and a new one go up; nothing else
    write(src.resolve("docs/b.txt"), "bravo, second edition", t + 5000);
    write(src.resolve("docs/new.txt"), "new", t + 6000);
    Result changed = ok(alice, "sync", "-v", src.toString(), "edfs:/up");
    assertThat(changed.stdout()).contains("sync: 2 file(s)").contains("2 unchanged");
    assertThat(changed.stdout()).contains("put " + src.resolve("docs/b.txt")).contains("put " + src.resolve("docs/new.txt"));
    assertThat(ok(alice, "cat", "/up/docs/b.txt").stdout()).isEqualTo("bravo, second edition");

    // a file gone locally stays remotely, unless --delete; --dry-run only says so
    Files.delete(src.resolve("a.txt"));
    assertThat(ok(alice, "sync", src.toString(), "edfs:/up").stdout()).doesNotContain("deleted");
    assertThat(ok(alice, "ls", "/up").stdout()).contains("a.txt");
    Result dry = ok(alice, "sync", "--delete", "--dry-run", src.toString(), "edfs:/up");
    assertThat(dry.stdout()).contains("delete /up/a.txt").contains("dry run");
    assertThat(ok(alice, "ls", "/up").stdout()).contains("a.txt");
    Result del = ok(alice, "sync", "--delete", src.toString(), "edfs:/up");
    assertThat(del.stdout()).contains("1 deleted");
    assertThat(ok(alice, "ls", "/up").stdout()).isEqualTo("docs/\nempty/\n");
  }

  @Test
  @DisplayName("--checksum finds a change that kept the size and the time")
  void checksum() throws Exception {
    Path src = tmp.resolve("sum");
    long t = 1_500_000_000_000L;
    write(src.resolve("same-size.txt"), "aaaa", t);
    ok(alice, "sync", src.toString(), "edfs:/sum");
    write(src.resolve("same-size.txt"), "bbbb", t); // same size, same time, other content
    assertThat(ok(alice, "sync", src.toString(), "edfs:/sum").stdout()).contains("sync: 0 file(s)").contains("1 unchanged");
    assertThat(ok(alice, "sync", "--checksum", src.toString(), "edfs:/sum").stdout()).contains("sync: 1 file(s)");
    assertThat(ok(alice, "cat", "/sum/same-size.txt").stdout()).isEqualTo("bbbb");
    assertThat(ok(alice, "sync", "--checksum", src.toString(), "edfs:/sum").stdout()).contains("sync: 0 file(s)").contains("1 unchanged");
  }

  @Test
  @DisplayName("down: into a new folder, then only what changed remotely; --delete removes local extras")
  void down() throws Exception {
    Path src = tmp.resolve("down-src");
    long t = 1_400_000_000_000L;
    write(src.resolve("x.txt"), "x", t);
    write(src.resolve("sub/y.txt"), "y", t + 1);
    ok(alice, "put", "-r", src.toString(), "/down");

    Path dst = tmp.resolve("down-dst");
    Result first = ok(alice, "sync", "edfs:/down", dst.toString());
    assertThat(first.stdout()).contains("sync: 2 file(s)");
    assertThat(Files.readString(dst.resolve("sub/y.txt"))).isEqualTo("y");
    assertThat(Files.getLastModifiedTime(dst.resolve("x.txt")).toMillis()).isEqualTo(t);
    assertThat(ok(alice, "sync", "edfs:/down", dst.toString()).stdout()).contains("sync: 0 file(s)").contains("2 unchanged");

    ok(alice, "put", src.resolve("x.txt").toString(), "/down/renamed-elsewhere.txt");
    Files.writeString(dst.resolve("local-only.txt"), "mine");
    Result dry = ok(alice, "sync", "--delete", "-n", "edfs:/down", dst.toString());
    assertThat(dry.stdout()).contains("get /down/renamed-elsewhere.txt").contains("delete " + dst.resolve("local-only.txt"));
    assertThat(dst.resolve("local-only.txt")).exists();
    assertThat(dst.resolve("renamed-elsewhere.txt")).doesNotExist();
    Result del = ok(alice, "sync", "--delete", "edfs:/down", dst.toString());
    assertThat(del.stdout()).contains("sync: 1 file(s)").contains("1 deleted");
    assertThat(dst.resolve("local-only.txt")).doesNotExist();
    assertThat(dst.resolve("renamed-elsewhere.txt")).exists();
  }

  @Test
  @DisplayName("wants the remote side marked, so that the direction is never guessed")
  void sides() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("sides/a"));
    Path b = Files.createDirectories(tmp.resolve("sides/b"));
    write(a.resolve("f.txt"), "f", 1_300_000_000_000L);
    for (String[] args : List.of(
        new String[] {"sync", a.toString(), b.toString()},
        new String[] {"sync", "--delete", "/docs", tmp.resolve("sides/new").toString()},
        new String[] {"sync", "edfs:/x", "edfs:/y"})) {
      Result r = alice.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(7);
      assertThat(r.stderr()).contains("edfs:");
    }
    assertThat(tmp.resolve("sides/new")).doesNotExist();
    assertThat(ok(alice, "sync", a.toString(), "edfs:" + b).stdout()).contains("sync: 1 file(s)");
    assertThat(ok(alice, "cat", b + "/f.txt").stdout()).isEqualTo("f");
    Result missing = alice.run("sync", "edfs:/no/such/remote", tmp.resolve("sides/new").toString());
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(tmp.resolve("sides/new")).doesNotExist();
  }
}
