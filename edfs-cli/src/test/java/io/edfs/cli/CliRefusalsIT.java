package io.edfs.cli;

import static io.edfs.cli.SampleUsers.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.protocol.Json;
import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a user of the {@code edfs} command can count on when something is in the way: {@code
 * get} never replaces a local file unasked and makes files as the shell would, an error names
 * the path and whether it is local or remote (never an internal id), and a command asked for
 * JSON fails in JSON.
 */
@TestInstance(Lifecycle.PER_CLASS)
@DisplayName("The edfs command when something is in the way")
class CliRefusalsIT {
  static final Pattern ID = Pattern.compile("\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");
  static final String PASSWORD = "alice's long passphrase";

  Path tmp;
  Path home;
  ServerProcess server;
  CliRunner alice;
  /** The content of /notes.bin: every byte value, so that nothing may be translated on the way. */
  final byte[] notes = new byte[300];

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    server = ServerProcess.start(tmp.resolve("data"), List.of());
    home = Files.createDirectories(tmp.resolve("home"));
    alice = new CliRunner(home, server.url(), PASSWORD);
    ok(alice, "signup", "alice");
    for (int i = 0; i < notes.length; i++) {
      notes[i] = (byte) i;
    }
    assertThat(alice.run(notes, "write", "/notes.bin").exitCode()).isZero();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Runs a command that must fail with {@code exit}; returns its one line on stderr. */
  String refused(int exit, String... args) {
    Result r = alice.run(args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isEqualTo(exit);
    assertThat(r.stderr().lines().toList()).as("edfs %s: one line", String.join(" ", args)).hasSize(1);
    return r.stderr().strip();
  }

  static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  @DisplayName("get onto an existing file refuses and leaves it as it was; --force replaces it, keeping its mode")
  void getKeepsExistingFile() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("existing"));
    Path mine = Files.writeString(dir.resolve("notes.bin"), "my own work\n");
    Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rw-------"));

    String line = "edfs: local " + mine + ": exists; use --force to replace it";
    assertThat(refused(5, "get", "/notes.bin", mine.toString())).isEqualTo(line);
    assertThat(refused(5, "get", "/notes.bin", dir.toString())).as("into its folder").isEqualTo(line);
    assertThat(Files.readString(mine)).isEqualTo("my own work\n");

    ok(alice, "get", "--force", "/notes.bin", mine.toString());
    assertThat(Files.readAllBytes(mine)).isEqualTo(notes);
    assertThat(mode(mine)).as("a private file stays private").isEqualTo("rw-------");
    assertThat(names(dir)).as("no part file left behind").containsExactly("notes.bin");
  }

  @ParameterizedTest(name = "umask {0}: {1}")
  @CsvSource({"022, rw-r--r--", "077, rw-------"})
  @DisplayName("a file get creates has the mode the user's umask gives")
  void getFollowsUmask(String umask, String mode) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("umask-" + umask));
    CliRunner masked = new CliRunner(home, server.url(), PASSWORD).umask(umask);
    ok(masked, "get", "/notes.bin", dir.toString());
    Path got = dir.resolve("notes.bin");
    assertThat(Files.readAllBytes(got)).isEqualTo(notes);
    assertThat(mode(got)).isEqualTo(mode);
    assertThat(names(dir)).containsExactly("notes.bin");
  }

  @Test
  @DisplayName("get PATH - writes the content to standard output")
  void getToStdout() {
    assertThat(ok(alice, "get", "/notes.bin", "-").stdoutBytes()).isEqualTo(notes);
    assertThat(home.resolve("-")).doesNotExist();
  }

  @Test
  @DisplayName("with --json an error is one JSON line on stderr, with a stable code and the usual exit code")
  void jsonErrors() throws Exception {
    for (String command : List.of("ls", "stat")) {
      Result r = alice.run(command, "--json", "/missing");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
      assertThat(r.stdout()).isEmpty();
      assertThat(r.stderr().lines().toList()).as(r.toString()).hasSize(1);
      JsonNode error = Json.mapper().readTree(r.stderr());
      assertThat(error.get("error").asText()).isEqualTo("remote /missing: not found");
      assertThat(error.get("code").asText()).isEqualTo("not-found");
      assertThat(error.get("exit").asInt()).isEqualTo(3);
      assertThat(refused(3, command, "/missing")).as("the same line without --json").isEqualTo("edfs: remote /missing: not found");
    }
  }

  @Test
  @DisplayName("not found says which path, and whether it is the local or the remote one")
  void notFoundNamesTheSide() {
    assertThat(refused(3, "put", "no-such.txt", "/")).isEqualTo("edfs: local no-such.txt: no such file");
    assertThat(refused(3, "get", "/nope.txt", "nope.txt")).isEqualTo("edfs: remote /nope.txt: not found");
    assertThat(refused(3, "get", "/notes.bin", "no-dir/notes.bin")).isEqualTo("edfs: local no-dir: no such folder");
    assertThat(refused(3, "cat", "/nope.txt")).isEqualTo("edfs: remote /nope.txt: not found");
    assertThat(refused(3, "cat", "/no-dir/nope.txt")).as("the missing folder").isEqualTo("edfs: remote /no-dir: not found");
    assertThat(refused(3, "ls", "/nope")).isEqualTo("edfs: remote /nope: not found");
    assertThat(refused(3, "stat", "/nope")).isEqualTo("edfs: remote /nope: not found");
    assertThat(refused(3, "mv", "/nope.txt", "/other.txt")).isEqualTo("edfs: remote /nope.txt: not found");
    assertThat(refused(3, "rm", "/nope.txt")).isEqualTo("edfs: remote /nope.txt: not found");
    assertThat(refused(3, "share", "/nope.txt", "bob", "--read")).isEqualTo("edfs: remote /nope.txt: not found");
    assertThat(home.resolve("nope.txt")).doesNotExist();
  }

  @Test
  @DisplayName("moving a folder into itself names both paths, no internal id")
  void moveIntoItself() {
    ok(alice, "mkdir", "-p", "/a/sub");
    for (String dst : List.of("/a/sub", "/a/new", "/a")) {
      Result r = alice.run("mv", "/a", dst);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(7);
      assertThat(r.stderr().strip()).isEqualTo("edfs: cannot move /a into itself (" + dst + ")");
      assertThat(ID.matcher(r.stdout() + r.stderr()).find()).as("an id in %s", r).isFalse();
    }
    assertThat(ok(alice, "ls", "/a").stdout()).isEqualTo("sub/\n");
  }
}
