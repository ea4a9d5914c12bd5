package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.Problem;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Bad input gets a clear problem and changes nothing")
class BadInputIT {
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;
  static User alice;

  @BeforeAll
  static void start() throws Exception {
    server = EdfsServer.start(TestEngine.config(dir));
    client = new TestClient(server);
    alice = client.signup("alice");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Stream<Arguments> badBodies() {
    String home = "\"parentId\":\"%s\"".formatted(alice == null ? UUID.randomUUID() : alice.home());
    String id = "\"id\":\"" + UUID.randomUUID() + "\"";
    return Stream.of(
        Arguments.of("POST", "/v1/nodes", "{", "malformed JSON"),
        Arguments.of("POST", "/v1/nodes", "{\"id\": }", "malformed JSON"),
        Arguments.of("POST", "/v1/nodes", "[]", "JSON object"),
        Arguments.of("POST", "/v1/nodes", "null", "JSON object"),
        Arguments.of("POST", "/v1/nodes", "", "JSON object"),
        Arguments.of("POST", "/v1/nodes", "{\"id\":\"nope\"}", "$.id (expected UUID)"),
        Arguments.of("POST", "/v1/nodes", "{" + id + ",\"kind\":\"X\"}", "$.kind"),
        Arguments.of(
            "POST",
            "/v1/nodes",
            "{" + id + ",\"encName\":\"!!!\"}",
            "$.encName (expected base64 string)"),
        Arguments.of(
            "POST",
            "/v1/nodes",
            "{" + id + ",\"kind\":\"D\",\"encName\":\"YQ==\",\"wrappedKey\":\"YQ==\"}",
            "missing field: parentId"),
        Arguments.of(
            "POST",
            "/v1/nodes",
            "{" + home + ",\"kind\":\"D\",\"encName\":\"YQ==\",\"wrappedKey\":\"YQ==\"}",
            "missing field: id"),
        Arguments.of(
            "POST",
            "/v1/nodes",
            "{" + id + "," + home + ",\"encName\":\"YQ==\",\"wrappedKey\":\"YQ==\"}",
            "missing field: kind"),
        Arguments.of(
            "POST",
            "/v1/nodes",
            "{" + id + "," + home + ",\"kind\":\"D\",\"encName\":\"YQ==\"}",
            "missing field: wrappedKey"),
        Arguments.of(
            "POST",
            "/v1/nodes",
            "{"
                + id
                + ","
                + home
                + ",\"kind\":\"F\",\"encName\":\"YQ==\",\"wrappedKey\":\"YQ==\","
                + "\"version\":{\"versionId\":\""
                + UUID.randomUUID()
                + "\",\"size\":\"big\"}}",
            "$.version.size (expected integer)"),
        Arguments.of("POST", "/v1/login", "{\"username\":\"alice\"}", "missing field: authKey"),
        Arguments.of("POST", "/v1/login", "{\"username\":[1],\"authKey\":\"AA==\"}", "$.username"),
        Arguments.of("POST", "/v1/blocks/missing", "{\"hashes\":[\"xyz\"]}", "hashes[0]"),
        Arguments.of("POST", "/v1/blocks/missing", "{}", "missing field: hashes"));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("badBodies")
  @DisplayName("malformed JSON, wrong types and missing fields are 400 bad-request")
  void badBodies(String method, String path, String body, String detail) {
    Response r = client.send(method, path, path.equals("/v1/login") ? null : alice.token(), body);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    Problem p = r.problem();
    assertThat(p.type()).isEqualTo("bad-request");
    assertThat(p.title()).isNotBlank();
    assertThat(p.detail()).contains(detail);
  }

  @Test
  @DisplayName("a bad UUID in the path is 400 naming the parameter")
  void badUuid() {
    for (String path :
        List.of(
            "/v1/nodes/xyz",
            "/v1/nodes/1-2-3-4-5",
            "/v1/nodes/" + alice.home() + "/versions/nope")) {
      Response r = client.get(path, alice.token());
      assertThat(r.status()).as(path).isEqualTo(400);
      assertThat(r.problem().detail()).contains("must be a UUID");
    }
  }

  @Test
  @DisplayName("an empty or too long encrypted name is 400 invalid-name")
  void names() {
    for (byte[] name : List.of(new byte[0], new byte[513])) {
      Response r =
          client.post(
              "/v1/nodes",
              alice.token(),
              new CreateNodeRequest(
                  UUID.randomUUID(), alice.home(), NodeKind.F, name, new byte[40], null));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.problemType()).isEqualTo("invalid-name");
    }
    Response ok =
        client.post(
            "/v1/nodes",
            alice.token(),
            new CreateNodeRequest(
                UUID.randomUUID(), alice.home(), NodeKind.F, new byte[512], new byte[40], null));
    assertThat(ok.status()).isEqualTo(201);
    assertThat(
            client
                .get("/v1/nodes/" + alice.home() + "/children?name=", alice.token())
                .problemType())
        .isEqualTo("invalid-name");
    assertThat(
            client.get("/v1/nodes/" + alice.home() + "/children?name=a*b", alice.token()).status())
        .isEqualTo(400);
  }

  @Test
  @DisplayName("an unknown path is 404, a wrong method 405 with Allow")
  void routing() {
    Response unknown = client.get("/v1/nope", alice.token());
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.problemType()).isEqualTo("not-found");
    assertThat(client.get("/", null).status()).isEqualTo(404);
    assertThat(client.get("/v1/nodes/" + alice.home() + "/", alice.token()).status())
        .isEqualTo(404);
    Response wrong = client.send("PUT", "/v1/account", alice.token(), null);
    assertThat(wrong.status()).isEqualTo(405);
    assertThat(wrong.contentType()).startsWith("application/problem+json");
    assertThat(wrong.headers().firstValue("allow")).hasValue("GET");
    Response wrongNode = client.send("POST", "/v1/nodes/" + alice.home(), alice.token(), "{}");
    assertThat(wrongNode.headers().firstValue("allow")).hasValue("DELETE, GET, PATCH");
  }

  @Test
  @DisplayName("a JSON body over 1 MiB is 413 too-large")
  void tooLarge() {
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      hashes.add("%064x".formatted(i));
    }
    String body = "{\"hashes\":" + hashes.stream().map(h -> "\"" + h + "\"").toList() + "}";
    assertThat(body.length()).isGreaterThan(1 << 20);
    // a client sending a large body asks first (Expect: 100-continue), so it hears the 413
    Response r =
        client.send("POST", "/v1/blocks/missing", alice.token(), body, TestClient.EXPECT_CONTINUE);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.problemType()).isEqualTo("too-large");
    // the connection pool still works afterwards
    assertThat(client.get("/v1/account", alice.token()).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("HTTP errors Jetty itself answers are problem+json too")
  void jettyErrors() throws Exception {
    try (SSLSocket s =
        (SSLSocket) client.ssl.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write("GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).startsWith("HTTP/1.1 400");
      List<String> headers = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        headers.add(line.toLowerCase());
      }
      assertThat(headers).contains("content-type: application/problem+json");
    }
  }

  @Test
  @DisplayName("failed requests change nothing")
  void nothingChanged() {
    long nodes = client.queryLong("SELECT COUNT(*) FROM nodes");
    client.send("POST", "/v1/nodes", alice.token(), "{\"id\":\"nope\"}");
    client.post(
        "/v1/nodes",
        alice.token(),
        new CreateNodeRequest(
            UUID.randomUUID(), alice.home(), NodeKind.F, new byte[600], new byte[40], null));
    assertThat(client.queryLong("SELECT COUNT(*) FROM nodes")).isEqualTo(nodes);
  }
}
