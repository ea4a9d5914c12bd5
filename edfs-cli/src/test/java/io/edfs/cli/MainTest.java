package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.VersionConflictException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The edfs command's error lines and exit codes")
class MainTest {
  @Nested
  @DisplayName("turns each failure into one line naming what went wrong")
  class Messages {
    @Test
    void versionConflict() {
      var e = new VersionConflictException("server detail", Optional.empty());
      assertThat(Main.message(e, "/doc.txt"))
          .isEqualTo("/doc.txt: version conflict: someone else saved a newer version first; nothing was overwritten");
      assertThat(Main.exitCode(e)).isEqualTo(5);
    }

    @Test
    void notAllowedNameExistsNotFound() {
      assertThat(Main.message(new EdfsException(Reason.FORBIDDEN, "no write access to node 1234"), "/a")).isEqualTo("/a: not allowed");
      assertThat(Main.message(new EdfsException(Reason.NAME_EXISTS, "folder x already has an entry"), "/a")).isEqualTo("/a: name exists");
      assertThat(Main.message(new EdfsException(Reason.NOT_FOUND, "/a/b: not found"), "/a/b")).isEqualTo("/a/b: not found");
      assertThat(Main.message(new EdfsException(Reason.NOT_FOUND, "no node 1234"), "/a/b")).isEqualTo("/a/b: not found");
      assertThat(Main.message(new EdfsException(Reason.INVALID_CREDENTIALS, "x"), "alice")).isEqualTo("wrong username or password");
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    @DisplayName("every reason has a non-empty single line and a documented exit code")
    void everyReason(Reason reason) {
      var e = new EdfsException(reason, "detail for " + reason);
      assertThat(Main.message(e, "/p")).isNotBlank().doesNotContain("\n");
      assertThat(Main.exitCode(e)).isBetween(1, 8);
    }
  }

  @Test
  @DisplayName("a usage error exits 2 and says what is wrong")
  void usageError() {
    var err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"share", "/x"}, Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://127.0.0.1:8443,http://127.0.0.1:8444 | edfs: invalid server URL 'http://127.0.0.1:8444': expected https://HOST:PORT",
        "https://127.0.0.1:8443, | edfs: invalid server URL '': expected https://HOST:PORT",
        "https://127.0.0.1:8443,https://127.0.0.1:8443/ | edfs: server https://127.0.0.1:8443/ is listed twice",
      })
  @DisplayName("a list of servers with a bad or repeated URL exits 7 naming it")
  void badServerList(String servers, String line, @org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
    var err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"ls"},
            Map.of("EDFS_HOME", home.toString(), "EDFS_SERVER", servers),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err));
    assertThat(code).isEqualTo(7);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo(line);
  }

  @Test
  @DisplayName("a command that needs a session says how to log in when there is none")
  void notLoggedIn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
    var err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"ls"}, Map.of("EDFS_HOME", home.toString()), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertThat(code).isEqualTo(4);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("edfs: not logged in: run 'edfs login USER' (or 'edfs signup USER')");
  }
}
