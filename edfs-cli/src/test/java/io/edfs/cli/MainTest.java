package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.VersionConflictException;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
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
  static final String ID = "0b9f3c2e-7d41-4a8e-9f00-5c6d7e8f9a1b";

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
      assertThat(Main.message(new EdfsException(Reason.INVALID_CREDENTIALS, "x"), "alice")).isEqualTo("wrong username or password");
    }

    @Test
    @DisplayName("not found says whether the path is the local or the remote one")
    void notFoundNamesTheSide() {
      assertThat(Main.message(new EdfsException(Reason.NOT_FOUND, "/a: not found"), "/a/b")).as("a missing parent").isEqualTo("remote /a: not found");
      assertThat(Main.message(new EdfsException(Reason.NOT_FOUND, "no node " + ID), "/a/b")).isEqualTo("remote /a/b: not found");
      var local = new LocalPathException(Reason.NOT_FOUND, Path.of("x.txt"), "no such file");
      assertThat(Main.message(local, "/a/b")).isEqualTo("local x.txt: no such file");
      assertThat(Main.exitCode(local)).isEqualTo(3);
    }

    @Test
    @DisplayName("a server's detail that names a node by id gives way to the path")
    void noIds() {
      var e = new EdfsException(Reason.BAD_REQUEST, "destination " + ID + " is not a folder");
      assertThat(Main.message(e, "/a")).isEqualTo("/a: bad request");
      assertThat(Main.message(new EdfsException(Reason.BAD_REQUEST, "moves cannot cross owners"), "/a")).isEqualTo("moves cannot cross owners");
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    @DisplayName("every reason has a non-empty single line and a documented exit code")
    void everyReason(Reason reason) {
      var e = new EdfsException(reason, "detail for " + reason);
      assertThat(Main.message(e, "/p")).isNotBlank().doesNotContain("\n");
      assertThat(Main.exitCode(e)).isBetween(1, 8);
      assertThat(Main.code(e)).matches("[a-z]+(-[a-z]+)*");
    }
  }

  @Nested
  @DisplayName("names each failure by a stable code for --json")
  class Codes {
    @ParameterizedTest
    @EnumSource(Reason.class)
    @DisplayName("a reason the server also has is named as the REST API's problem type")
    void asTheApi(Reason reason) {
      var e = new EdfsException(reason, "detail");
      Optional<ErrorType> api = Arrays.stream(ErrorType.values()).filter(t -> t.name().equals(reason.name())).findFirst();
      api.ifPresent(t -> assertThat(Main.code(e)).isEqualTo(t.slug()));
    }

    @Test
    void others() {
      assertThat(Main.code(new EdfsException(Reason.SERVER_ERROR, "x"))).isEqualTo(ErrorType.INTERNAL.slug());
      assertThat(Main.code(new EdfsException(Reason.TAMPERED, "x"))).isEqualTo("tampered");
      assertThat(Main.code(new EdfsException(Reason.UNREACHABLE, "x"))).isEqualTo("unreachable");
      assertThat(Main.code(new VersionConflictException("x", Optional.empty()))).isEqualTo("version-conflict");
      assertThat(Main.code(new java.io.IOException("disk full"))).isEqualTo("io");
    }

    @Test
    @DisplayName("the JSON error carries the same line and exit code as without --json")
    void json() throws Exception {
      var e = new LocalPathException(Reason.NAME_EXISTS, Path.of("x.txt"), "exists; use --force to replace it");
      JsonNode error = Json.mapper().readTree(Main.errorJson(e, "/x.txt"));
      assertThat(error.get("error").asText()).isEqualTo(Main.message(e, "/x.txt"));
      assertThat(error.get("code").asText()).isEqualTo("name-exists");
      assertThat(error.get("exit").asInt()).isEqualTo(5);
    }
  }

  @Test
  @DisplayName("a command run with --json fails with one JSON line on stderr and its usual exit code")
  void jsonError(@org.junit.jupiter.api.io.TempDir Path home) throws Exception {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"ls", "--json"}, Map.of("EDFS_HOME", home.toString()), new PrintStream(out), new PrintStream(err));
    assertThat(code).isEqualTo(4);
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(1);
    JsonNode error = Json.mapper().readTree(err.toString(StandardCharsets.UTF_8));
    assertThat(error.get("error").asText()).isEqualTo("not logged in: run 'edfs login USER' (or 'edfs signup USER')");
    assertThat(error.get("code").asText()).isEqualTo("unauthenticated");
    assertThat(error.get("exit").asInt()).isEqualTo(4);
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
