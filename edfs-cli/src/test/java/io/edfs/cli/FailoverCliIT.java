package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edfs.protocol.Json;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import io.edfs.testing.TestCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code edfs} command against a cluster of two nodes (in-process, on one MariaDB database
 * and one block folder): a session logged in with both keeps working when one stops, says so in
 * one line, never sends its token to a server it did not log in with, and a session file written
 * before sessions kept a list still works.
 */
@DisplayName("The edfs command with several servers")
class FailoverCliIT {
  @TempDir Path tmp;

  static Result run(CliRunner who, int exitCode, String... args) {
    return run(who, new byte[0], exitCode, args);
  }

  static Result run(CliRunner who, byte[] stdin, int exitCode, String... args) {
    Result r = who.run(stdin, args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isEqualTo(exitCode);
    return r;
  }

  @Test
  @DisplayName("a session on nodes A,B works on B when A stops, with one line on stderr; no node answering is exit 6")
  void failover() throws Exception {
    try (TestDatabase db = TestDatabase.create(Engine.MARIADB, tmp);
        TestCluster cluster = TestCluster.start(2, db.url())) {
      URI a = cluster.uri(0);
      URI b = cluster.uri(1);
      String user = "u" + UUID.randomUUID().toString().substring(0, 8);
      Path home = Files.createDirectories(tmp.resolve("home"));
      CliRunner alice = new CliRunner(home, a + "," + b, "pw of alice");

      assertThat(run(alice, 0, "signup", user).stdout()).contains(user + " at " + a + "," + b);
      run(alice, "hello".getBytes(StandardCharsets.UTF_8), 0, "write", "/notes.txt");
      // the session's servers may be named one at a time; this also pins B's certificate
      assertThat(run(alice.env("EDFS_SERVER", b.toString()), 0, "ls").stdout()).contains("notes.txt");
      alice.env("EDFS_SERVER", null); // from now on, the servers the session logged in with

      cluster.stop(0);
      Result cat = run(alice, 0, "cat", "/notes.txt");
      assertThat(cat.stdout()).isEqualTo("hello");
      assertThat(cat.stderr().strip()).isEqualTo("edfs: " + a + " is not answering; using " + b);

      // the token goes to no server the session did not log in with
      URI other = deadPort();
      Result refused = run(alice.env("EDFS_SERVER", b + "," + other), 4, "ls");
      assertThat(refused.stderr().strip())
          .isEqualTo("edfs: logged in to " + a + "," + b + ", not " + b + "," + other + ": run 'edfs login USER --server " + b + "," + other + "'");
      alice.env("EDFS_SERVER", null);

      cluster.stop(1);
      Result down = run(alice.env("EDFS_FAILOVER", "1s"), 6, "ls");
      assertThat(down.stderr().strip())
          .startsWith("edfs: no server answered (")
          .contains(a + " (connection refused)", b + " (connection refused)");
      alice.env("EDFS_FAILOVER", null);

      // a session file from before sessions kept a list: one "server"
      cluster.start(1);
      Path file = home.resolve("session.json");
      ObjectNode old = (ObjectNode) Json.mapper().readTree(file.toFile());
      old.remove("servers");
      old.put("server", b.toString());
      Files.writeString(file, Json.mapper().writeValueAsString(old));
      assertThat(run(alice, 0, "cat", "/notes.txt").stdout()).isEqualTo("hello");
      assertThat(run(alice, 0, "whoami").stdout()).startsWith(user + " at " + b + " (session until");
    }
  }

  static URI deadPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("https://127.0.0.1:" + s.getLocalPort());
    }
  }
}
