package io.edfs.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.client.ClientOptions;
import io.edfs.client.EdfsClient;
import io.edfs.client.Progress;
import io.edfs.client.Session;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.protocol.Json;
import io.edfs.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's HTTP side against a real edfs server: who may call it (link, key, Host, Origin),
 * and each API call as the page makes it, with the answers a user would check.
 */
@TestInstance(Lifecycle.PER_CLASS)
class UiServerIT {
  static final Argon2Params FAST_KDF = new Argon2Params(8192, 1, 1);

  TestServer server;
  EdfsClient client;
  UiServer ui;
  String origin;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    server = TestServer.start();
    client = EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF));
    ui = UiServer.start(0, client, List.of(server.uri()));
    origin = "http://127.0.0.1:" + ui.port();
  }

  @AfterAll
  void stop() {
    ui.close();
    client.close();
    server.close();
  }

  // ---- who may call ----

  @Test
  @DisplayName("a link's token is traded for a key once; the same link again, or a made-up one, is refused")
  void linkIsOneTime() throws Exception {
    URI link = ui.link();
    assertThat(link.toString()).startsWith(origin + "/#token=");
    String token = link.getFragment().substring("token=".length());
    var first = post("/api/session", Map.of("token", token), null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(json(first).path("key").asText()).hasSizeGreaterThan(40);
    var again = post("/api/session", Map.of("token", token), null);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(json(again).path("error").asText()).isEqualTo("LINK_USED");
    var madeUp = post("/api/session", Map.of("token", "x" + token.substring(1)), null);
    assertThat(json(madeUp).path("error").asText()).isEqualTo("LINK_INVALID");
  }

  @Test
  @DisplayName("an API call without the key, or with a wrong one, is refused and changes nothing")
  void keyRequired() throws Exception {
    var none = send(request(uri("/api/me")).GET(), null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none).path("error").asText()).isEqualTo("NO_KEY");
    var wrong = send(request(uri("/api/me")).GET(), "not-a-key");
    assertThat(wrong.statusCode()).isEqualTo(401);
    String key = key();
    var mkdir = send(withOrigin(request(uri("/api/mkdir"))).POST(body(Map.of("path", "/x"))), "wrong" + key);
    assertThat(mkdir.statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("a request from another origin, another site, or without an Origin on a change is refused, key or not")
  void otherOriginsRefused() throws Exception {
    String key = key();
    for (String other : List.of("http://evil.example", "http://127.0.0.1:1", "null", "https://127.0.0.1:" + ui.port())) {
      var r = send(request(uri("/api/login")).header("Origin", other).POST(body(Map.of("username", "a", "password", "b"))), key);
      assertThat(r.statusCode()).as(other).isEqualTo(403);
      assertThat(json(r).path("error").asText()).isEqualTo("BAD_ORIGIN");
      var get = send(request(uri("/api/me")).header("Origin", other).GET(), key);
      assertThat(get.statusCode()).as(other).isEqualTo(403);
    }
    var noOrigin = send(request(uri("/api/logout")).POST(body(Map.of())), key);
    assertThat(noOrigin.statusCode()).isEqualTo(403);
    var crossSite = send(request(uri("/api/me")).header("Sec-Fetch-Site", "same-site").GET(), key);
    assertThat(crossSite.statusCode()).isEqualTo(403);
    // no answer ever allows another origin to read it
    var preflight =
        http.send(
            request(uri("/api/me"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "GET")
                .build(),
            BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    var ok = send(request(uri("/api/me")).GET(), key);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  @DisplayName("a Host other than 127.0.0.1 or localhost with our port (DNS rebinding) is refused, even for the page")
  void hostChecked() throws Exception {
    assertThat(rawStatus("GET / HTTP/1.1\r\nHost: evil.example:" + ui.port() + "\r\nConnection: close\r\n\r\n")).isEqualTo(403);
    assertThat(rawStatus("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + (ui.port() + 1) + "\r\nConnection: close\r\n\r\n")).isEqualTo(403);
    assertThat(rawStatus("GET / HTTP/1.1\r\nHost: localhost:" + ui.port() + "\r\nConnection: close\r\n\r\n")).isEqualTo(200);
  }

  @Test
  @DisplayName("the page is served with a strict content security policy and no framing")
  void pageHeaders() throws Exception {
    var page = http.send(request(uri("/")).GET().build(), BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(c -> assertThat(c).contains("script-src 'self'", "frame-ancestors 'none'"));
    assertThat(page.headers().firstValue("Set-Cookie")).isEmpty();
    // on a connection of its own: Jetty refuses this path itself and closes the connection
    assertThat(rawStatus("GET /../pom.xml HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nConnection: close\r\n\r\n")).isIn(400, 404);
    assertThat(rawStatus("GET /%2e%2e/pom.xml HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nConnection: close\r\n\r\n")).isIn(400, 404);
    assertThat(http.send(request(uri("/UiServer.class")).GET().build(), BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }

  // ---- the calls ----

  @Test
  @DisplayName("the page's calls: sign up, folders, streamed upload, text edit with conflict, download, share, delete, logout")
  void journey() throws Exception {
    String key = key();
    var me = get("/api/me", key);
    assertThat(me.path("loggedIn").asBoolean()).isFalse();
    var taken = post("/api/signup", Map.of("username", "uibob", "password", "bob pass phrase"), key);
    assertThat(taken.statusCode()).isEqualTo(200);
    post("/api/logout", Map.of(), key);
    var signup = post("/api/signup", Map.of("username", "uialice", "password", "correct horse"), key);
    assertThat(json(signup).path("username").asText()).isEqualTo("uialice");
    var dup = post("/api/signup", Map.of("username", "uibob", "password", "x y z w v"), key);
    assertThat(json(dup).path("error").asText()).isEqualTo("USER_EXISTS");
    assertThat(json(dup).path("message").asText()).contains("uibob", "taken");

    assertThat(json(post("/api/mkdir", Map.of("path", "/Reports"), key)).path("path").asText()).isEqualTo("/Reports");
    var exists = post("/api/mkdir", Map.of("path", "/Reports"), key);
    assertThat(exists.statusCode()).isEqualTo(409);
    assertThat(json(exists).path("message").asText()).contains("\u201cReports\u201d", "already exists");

    // a 12 MiB upload, streamed (blocks), under a name with spaces and non-ASCII letters
    byte[] big = new byte[12 << 20];
    new Random(5).nextBytes(big);
    String bigPath = "/Reports/Jahresbericht \u00fcber 2026.bin";
    var up = put("/api/upload?path=" + enc(bigPath) + "&replace=false", big, key);
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(json(up).path("size").asLong()).isEqualTo(big.length);
    var again = put("/api/upload?path=" + enc(bigPath) + "&replace=false", new byte[] {1}, key);
    assertThat(json(again).path("error").asText()).isEqualTo("NAME_EXISTS");

    var listing = get("/api/list?path=" + enc("/Reports"), key);
    assertThat(listing.path("entries")).hasSize(1);
    assertThat(listing.path("entries").get(0).path("name").asText()).isEqualTo("Jahresbericht \u00fcber 2026.bin");
    assertThat(listing.path("entries").get(0).path("path").asText()).isEqualTo(bigPath);
    assertThat(listing.path("entry").path("access").asText()).isEqualTo("OWNER");

    // download: a ticket, used once, gives the bytes under their name
    String url = json(post("/api/download", Map.of("path", bigPath), key)).path("url").asText();
    var dl = http.send(request(uri(url)).GET().build(), BodyHandlers.ofByteArray());
    assertThat(dl.statusCode()).isEqualTo(200);
    assertThat(MessageDigest.isEqual(dl.body(), big)).isTrue();
    assertThat(dl.headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(d -> assertThat(d).startsWith("attachment;").contains("filename*=UTF-8''Jahresbericht%20%C3%BCber%202026.bin"));
    assertThat(http.send(request(uri(url)).GET().build(), BodyHandlers.ofString()).statusCode()).isEqualTo(404);

    // text: open, save, and a stale save is a conflict that names the current version
    put("/api/upload?path=" + enc("/notes.txt") + "&replace=false", "first line\n".getBytes(StandardCharsets.UTF_8), key);
    var opened = get("/api/text?path=" + enc("/notes.txt"), key);
    assertThat(opened.path("text").asText()).isEqualTo("first line\n");
    String base = opened.path("entry").path("versionId").asText();
    var saved = put("/api/text?path=" + enc("/notes.txt") + "&base=" + base, "second\n".getBytes(StandardCharsets.UTF_8), key);
    assertThat(saved.statusCode()).isEqualTo(200);
    String current = json(saved).path("versionId").asText();
    var stale = put("/api/text?path=" + enc("/notes.txt") + "&base=" + base, "stale edit\n".getBytes(StandardCharsets.UTF_8), key);
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(json(stale).path("error").asText()).isEqualTo("VERSION_CONFLICT");
    assertThat(json(stale).path("currentVersionId").asText()).isEqualTo(current);
    assertThat(get("/api/text?path=" + enc("/notes.txt"), key).path("text").asText()).isEqualTo("second\n");
    var keepMine = put("/api/text?path=" + enc("/notes.txt") + "&base=" + current, "stale edit\n".getBytes(StandardCharsets.UTF_8), key);
    assertThat(keepMine.statusCode()).isEqualTo(200);
    assertThat(get("/api/text?path=" + enc("/notes.txt"), key).path("text").asText()).isEqualTo("stale edit\n");
    var binary = get("/api/text?path=" + enc(bigPath), key);
    assertThat(binary.path("error").asText()).isEqualTo("TOO_LARGE");

    // rename, then move into the folder; a rename never enters a folder, a move never renames
    assertThat(json(post("/api/rename", Map.of("path", "/notes.txt", "name", "todo.txt"), key)).path("path").asText()).isEqualTo("/todo.txt");
    var ontoFolder = post("/api/rename", Map.of("path", "/todo.txt", "name", "Reports"), key);
    assertThat(json(ontoFolder).path("error").asText()).isEqualTo("NAME_EXISTS");
    assertThat(json(ontoFolder).path("message").asText()).contains("\u201cReports\u201d");
    var slash = post("/api/rename", Map.of("path", "/todo.txt", "name", "a/b"), key);
    assertThat(json(slash).path("error").asText()).isEqualTo("INVALID_NAME");
    assertThat(json(slash).path("message").asText()).contains("\u201ca/b\u201d", "'/'");
    var intoMissing = post("/api/move", Map.of("from", "/todo.txt", "to", "/Missing"), key);
    assertThat(json(intoMissing).path("error").asText()).isEqualTo("NOT_FOUND");
    assertThat(get("/api/stat?path=/todo.txt", key).path("name").asText()).as("neither moved nor renamed").isEqualTo("todo.txt");
    assertThat(json(post("/api/move", Map.of("from", "/todo.txt", "to", "/Reports"), key)).path("path").asText()).isEqualTo("/Reports/todo.txt");

    // share READ with bob: bob sees it under alice, and cannot change it
    var grants = json(post("/api/share", Map.of("path", "/Reports/todo.txt", "user", "uibob", "mode", "READ"), key));
    assertThat(grants.path("grants").get(0).path("user").asText()).isEqualTo("uibob");
    assertThat(grants.path("grants").get(0).path("mode").asText()).isEqualTo("READ");
    var nobody = post("/api/share", Map.of("path", "/Reports/todo.txt", "user", "nobody", "mode", "READ"), key);
    assertThat(json(nobody).path("error").asText()).isEqualTo("UNKNOWN_USER");
    assertThat(json(nobody).path("message").asText()).contains("\u201cnobody\u201d");
    assertThat(get("/api/list?path=" + enc("/Reports"), key).path("entries").findValuesAsText("shared")).contains("true");
    try (Session bob = client.login("uibob", "bob pass phrase".toCharArray())) {
      assertThat(bob.sharedWithMe()).extracting(s -> s.path()).containsExactly("@uialice/todo.txt");
    }
    post("/api/logout", Map.of(), key);
    post("/api/login", Map.of("username", "uibob", "password", "bob pass phrase"), key);
    var shared = get("/api/shared", key);
    assertThat(shared.path("owners").get(0).path("owner").asText()).isEqualTo("uialice");
    assertThat(shared.path("owners").get(0).path("items").get(0).path("mode").asText()).isEqualTo("READ");
    var sharedText = get("/api/text?path=" + enc("@uialice/todo.txt"), key);
    assertThat(sharedText.path("text").asText()).isEqualTo("stale edit\n");
    assertThat(sharedText.path("entry").path("access").asText()).isEqualTo("READ");
    var refused = put("/api/text?path=" + enc("@uialice/todo.txt") + "&base=" + sharedText.path("entry").path("versionId").asText(), "bob".getBytes(StandardCharsets.UTF_8), key);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(json(refused).path("error").asText()).isEqualTo("FORBIDDEN");
    post("/api/logout", Map.of(), key);

    // alice again: wrong password first, then revoke and delete
    var wrong = post("/api/login", Map.of("username", "uialice", "password", "wrong"), key);
    assertThat(json(wrong).path("error").asText()).isEqualTo("INVALID_CREDENTIALS");
    post("/api/login", Map.of("username", "uialice", "password", "correct horse"), key);
    assertThat(json(post("/api/unshare", Map.of("path", "/Reports/todo.txt", "user", "uibob"), key)).path("grants")).isEmpty();
    var notEmpty = post("/api/delete", Map.of("path", "/Reports", "recursive", false), key);
    assertThat(json(notEmpty).path("error").asText()).isEqualTo("NOT_EMPTY");
    assertThat(post("/api/delete", Map.of("path", "/Reports", "recursive", true), key).statusCode()).isEqualTo(200);
    assertThat(get("/api/list?path=/", key).path("entries")).isEmpty();

    post("/api/logout", Map.of(), key);
    var after = get("/api/list?path=/", key);
    assertThat(after.path("error").asText()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  @DisplayName("what the page shows is what the SDK wrote, and a file written by the page reads back in the SDK")
  void sameFilesAsTheSdk() throws Exception {
    try (Session carol = client.signup("uicarol", "carol pass".toCharArray(), FAST_KDF)) {
      carol.write("/from-sdk.txt", new ByteArrayInputStream("hello from the SDK".getBytes(StandardCharsets.UTF_8)), Progress.NONE);
      String key = key();
      post("/api/login", Map.of("username", "uicarol", "password", "carol pass"), key);
      assertThat(get("/api/text?path=/from-sdk.txt", key).path("text").asText()).isEqualTo("hello from the SDK");
      put("/api/upload?path=/from-page.txt&replace=false", "hello from the page".getBytes(StandardCharsets.UTF_8), key);
      var out = new ByteArrayOutputStream();
      carol.read("/from-page.txt", out, Progress.NONE);
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello from the page");
      post("/api/logout", Map.of(), key);
    }
  }

  @Test
  @DisplayName("a server that does not answer gives the page a clear 'not answering' error")
  void unreachableServer(@TempDir Path tmp) throws Exception {
    URI dead = URI.create("https://127.0.0.1:1");
    try (EdfsClient lonely =
            EdfsClient.open(ClientOptions.of(dead, tmp.resolve("known_servers")).withFailover(java.time.Duration.ofMillis(500)));
        UiServer other = UiServer.start(0, lonely, List.of(dead))) {
      String otherOrigin = "http://127.0.0.1:" + other.port();
      String token = other.link().getFragment().substring("token=".length());
      var traded =
          http.send(
              request(URI.create(otherOrigin + "/api/session")).header("Origin", otherOrigin).POST(body(Map.of("token", token))).build(),
              BodyHandlers.ofString());
      String key = json(traded).path("key").asText();
      var login =
          http.send(
              request(URI.create(otherOrigin + "/api/login"))
                  .header("Origin", otherOrigin)
                  .header("X-Edfs-Key", key)
                  .POST(body(Map.of("username", "alice", "password", "whatever")))
                  .build(),
              BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(503);
      assertThat(json(login).path("error").asText()).isEqualTo("UNREACHABLE");
      assertThat(json(login).path("message").asText()).contains("not answering");
    }
  }

  @Test
  @DisplayName("saving text: a new file needs no base and never overwrites; a deleted file or a folder is said so")
  void saveTextEdges() throws Exception {
    String key = key();
    post("/api/signup", Map.of("username", "uidave", "password", "dave pass phrase"), key);
    var created = put("/api/text?path=/new.txt&base=", "one".getBytes(StandardCharsets.UTF_8), key);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    var again = put("/api/text?path=/new.txt", "two".getBytes(StandardCharsets.UTF_8), key);
    assertThat(json(again).path("error").asText()).as("no base: only a new file").isEqualTo("VERSION_CONFLICT");
    assertThat(get("/api/text?path=/new.txt", key).path("text").asText()).isEqualTo("one");
    String base = json(created).path("versionId").asText();
    post("/api/delete", Map.of("path", "/new.txt"), key);
    var gone = put("/api/text?path=/new.txt&base=" + base, "three".getBytes(StandardCharsets.UTF_8), key);
    assertThat(json(gone).path("error").asText()).isEqualTo("VERSION_CONFLICT");
    assertThat(json(gone).has("currentVersionId")).as("nothing to keep mine over").isFalse();
    assertThat(put("/api/text?path=/new.txt", "keep mine".getBytes(StandardCharsets.UTF_8), key).statusCode()).isEqualTo(200);
    assertThat(get("/api/text?path=/new.txt", key).path("text").asText()).isEqualTo("keep mine");
    post("/api/mkdir", Map.of("path", "/dir"), key);
    assertThat(json(put("/api/text?path=/dir&base=" + base, "x".getBytes(StandardCharsets.UTF_8), key)).path("error").asText()).isEqualTo("NOT_A_FILE");
    put("/api/upload?path=/bin.dat&replace=false", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}, key);
    assertThat(get("/api/text?path=/bin.dat", key).path("error").asText()).isEqualTo("NOT_TEXT");
    post("/api/logout", Map.of(), key);
  }

  @Test
  @DisplayName("a download that fails before its first byte says why in plain text, not as the file; HEAD does not use the ticket")
  void downloadFailureIsNotSavedAsTheFile() throws Exception {
    String key = key();
    post("/api/signup", Map.of("username", "uierin", "password", "erin pass phrase"), key);
    Set<Path> before = blockFiles();
    put("/api/upload?path=/photo.jpg&replace=false", new byte[200_000], key);
    String url = json(post("/api/download", Map.of("path", "/photo.jpg"), key)).path("url").asText();
    var head = http.send(request(uri(url)).method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.discarding());
    assertThat(head.statusCode()).isGreaterThanOrEqualTo(400);
    for (Path f : blockFiles()) {
      if (!before.contains(f)) {
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 1;
        Files.write(f, b);
      }
    }
    var dl = http.send(request(uri(url)).GET().build(), BodyHandlers.ofString());
    assertThat(dl.statusCode()).isEqualTo(502);
    assertThat(dl.headers().firstValue("Content-Disposition")).isEmpty();
    assertThat(dl.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(dl.body()).contains("\u201cphoto.jpg\u201d failed its integrity check");
    post("/api/logout", Map.of(), key);
  }

  @Test
  @DisplayName("a download still running when the user logs out and another logs in gives only its own bytes; the new login stays")
  void sessionSwapDuringDownload() throws Exception {
    String key = key();
    post("/api/signup", Map.of("username", "uifrank", "password", "frank pass phrase"), key);
    byte[] big = new byte[24 << 20];
    new Random(9).nextBytes(big);
    put("/api/upload?path=/big.bin&replace=false", big, key);
    String url = json(post("/api/download", Map.of("path", "/big.bin"), key)).path("url").asText();
    var dl = http.send(request(uri(url)).GET().build(), BodyHandlers.ofInputStream());
    var got = new ByteArrayOutputStream();
    try (InputStream in = dl.body()) {
      got.write(in.readNBytes(1 << 20));
      post("/api/logout", Map.of(), key);
      post("/api/signup", Map.of("username", "uigrace", "password", "grace pass phrase"), key);
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) != -1; ) {
        got.write(buf, 0, r);
      }
    } catch (java.io.IOException cut) {
      // cut off when its session ended (blocks fetched before that may still arrive)
    }
    byte[] received = got.toByteArray();
    assertThat(received.length).isGreaterThanOrEqualTo(1 << 20);
    assertThat(received).as("only frank's own bytes, in order").isEqualTo(java.util.Arrays.copyOf(big, received.length));
    var me = get("/api/me", key);
    assertThat(me.path("username").asText()).as("the new login stays").isEqualTo("uigrace");
    assertThat(get("/api/list?path=/", key).path("entries")).as("grace's own (empty) home").isEmpty();
    post("/api/logout", Map.of(), key);
  }

  @Test
  @DisplayName("the page opens from a link elsewhere (cross-site navigation), but calls from there are refused; a bad query is a 400")
  void navigationAndBadInput() throws Exception {
    var nav = http.send(request(uri("/")).header("Sec-Fetch-Site", "cross-site").header("Sec-Fetch-Mode", "navigate").GET().build(), BodyHandlers.ofString());
    assertThat(nav.statusCode()).isEqualTo(200);
    String key = key();
    var call = send(request(uri("/api/me")).header("Sec-Fetch-Site", "cross-site").GET(), key);
    assertThat(call.statusCode()).isEqualTo(403);
    assertThat(rawStatus("GET /api/list?path=%zz HTTP/1.1\r\nHost: 127.0.0.1:" + ui.port() + "\r\nX-Edfs-Key: " + key + "\r\nConnection: close\r\n\r\n"))
        .isEqualTo(400);
  }

  Set<Path> blockFiles() throws Exception {
    try (var files = Files.walk(server.dataDir().resolve("blocks"))) {
      return files.filter(Files::isRegularFile).filter(f -> !f.toString().contains(".tmp")).collect(Collectors.toSet());
    }
  }

  // ---- helpers ----

  /** A request that fails after a minute rather than hang the build. */
  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(60));
  }


  String key() throws Exception {
    String token = ui.link().getFragment().substring("token=".length());
    return json(post("/api/session", Map.of("token", token), null)).path("key").asText();
  }

  URI uri(String path) {
    return URI.create(origin + path);
  }

  HttpRequest.Builder withOrigin(HttpRequest.Builder b) {
    return b.header("Origin", origin);
  }

  static HttpRequest.BodyPublisher body(Object value) throws Exception {
    return BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(value));
  }

  HttpResponse<String> send(HttpRequest.Builder b, String key) throws Exception {
    if (key != null) {
      b.header("X-Edfs-Key", key);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, Object value, String key) throws Exception {
    return send(withOrigin(request(uri(path))).header("Content-Type", "application/json").POST(body(value)), key);
  }

  HttpResponse<String> put(String path, byte[] bytes, String key) throws Exception {
    return send(withOrigin(request(uri(path))).PUT(BodyPublishers.ofByteArray(bytes)), key);
  }

  JsonNode get(String path, String key) throws Exception {
    return json(send(request(uri(path)).GET(), key));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.mapper().readTree(r.body());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  int rawStatus(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", ui.port())) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      return Integer.parseInt(head.substring(9, 12));
    }
  }
}
