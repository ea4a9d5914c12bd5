package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.protocol.Json;
import io.edfs.testing.CliRunner;
import io.edfs.testing.ServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * {@code edfs ui} as a user starts it: the printed link, a new link on Enter, a login of its
 * own that leaves the CLI's session file alone, a port in use, and a file much larger than the process's heap going up
 * and coming back down through the page's calls (streamed, never held in memory).
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiCommandIT {
  /** Far more than the UI process's heap ({@link #HEAP}). */
  static final long BIG = 512L << 20;

  static final String HEAP = "-Xmx128m";

  ServerProcess server;
  Path home;
  CliRunner alice;
  Process ui;
  BufferedReader uiOut;
  URI firstLink;
  final List<String> keys = new java.util.ArrayList<>();
  final StringBuffer uiErr = new StringBuffer();
  Thread errDrain;
  String origin;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    server = ServerProcess.start(tmp.resolve("data"), List.of());
    home = Files.createDirectories(tmp.resolve("alice"));
    alice = new CliRunner(home, server.url(), "alice's passphrase");
    assertThat(alice.run("signup", "alice").ok()).isTrue();
    ui = alice.jvmArgs(List.of(HEAP)).start("ui", "--no-browser");
    uiOut = new BufferedReader(new InputStreamReader(ui.getInputStream(), StandardCharsets.UTF_8));
    Process p = ui;
    errDrain =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    uiErr.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                  } catch (IOException e) {
                    uiErr.append("(stderr unreadable: ").append(e).append(')');
                  }
                });
    firstLink = nextLink();
    origin = "http://127.0.0.1:" + firstLink.getPort();
  }

  @AfterAll
  void stop() throws Exception {
    if (ui != null) {
      ui.destroy();
      ui.waitFor(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  URI nextLink() throws IOException {
    String line = uiOut.readLine();
    assertThat(line).as("first line of edfs ui").isNotNull().startsWith("Open http://127.0.0.1:");
    return URI.create(line.substring("Open ".length()));
  }

  @Test
  @Order(1)
  @DisplayName("Enter prints a new link that works once; the page's login stays in its memory, apart from the CLI's")
  void newLinkOnEnterAndOwnLogin() throws Exception {
    OutputStream stdin = ui.getOutputStream();
    stdin.write('\n');
    stdin.flush();
    URI second = nextLink();
    assertThat(second.getFragment()).startsWith("token=").isNotEqualTo(firstLink.getFragment());
    String key = trade(second.getFragment().substring(6));
    assertThat(key).isNotNull();
    assertThat(trade(second.getFragment().substring(6))).isNull();
    assertThat(get("/api/me", key).path("loggedIn").asBoolean()).as("the page starts logged out").isFalse();

    byte[] cliSession = Files.readAllBytes(home.resolve("session.json"));
    var login = post("/api/login", Map.of("username", "alice", "password", "alice's passphrase"), key);
    assertThat(login.path("username").asText()).isEqualTo("alice");
    assertThat(get("/api/me", key).path("servers").get(0).asText()).isEqualTo(server.url());
    post("/api/logout", Map.of(), key);
    assertThat(Files.readAllBytes(home.resolve("session.json"))).as("the CLI's session file").isEqualTo(cliSession);
    try (var files = Files.list(home)) {
      assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("ui-session.json").allMatch(n -> !n.startsWith("ui-open-"));
    }
    assertThat(alice.run("ls", "/").ok()).as("the CLI's session still works").isTrue();
  }

  @Test
  @Order(2)
  @DisplayName("a second edfs ui on a port in use fails with one clear line")
  void portInUse() {
    var r = alice.run("ui", "--no-browser", "--port", String.valueOf(URI.create(origin).getPort()));
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("cannot start edfs ui: port " + URI.create(origin).getPort() + " is in use");
  }

  @Test
  @Order(3)
  @DisplayName("a file four times the size of the UI process's heap uploads and downloads intact, streamed")
  void largeFileIsStreamed() throws Exception {
    stdinLink();
    String key = trade(nextLink().getFragment().substring(6));
    assertThat(post("/api/login", Map.of("username", "alice", "password", "alice's passphrase"), key).path("loggedIn").asBoolean()).isTrue();
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    long t0 = System.nanoTime();
    var up =
        http.send(
            request(URI.create(origin + "/api/upload?path=/big.bin&replace=false"))
                .header("Origin", origin)
                .header("X-Edfs-Key", key)
                .PUT(BodyPublishers.ofInputStream(() -> new Generated(BIG, sent)))
                .build(),
            BodyHandlers.ofString());
    double upSeconds = (System.nanoTime() - t0) / 1e9;
    assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
    assertThat(Json.mapper().readTree(up.body()).path("size").asLong()).isEqualTo(BIG);

    var ticket =
        http.send(
            request(URI.create(origin + "/api/download"))
                .header("Origin", origin)
                .header("X-Edfs-Key", key)
                .POST(BodyPublishers.ofString("{\"path\":\"/big.bin\"}"))
                .build(),
            BodyHandlers.ofString());
    String url = Json.mapper().readTree(ticket.body()).path("url").asText();
    long t1 = System.nanoTime();
    var down = http.send(request(URI.create(origin + url)).GET().build(), BodyHandlers.ofInputStream());
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    long n = 0;
    try (InputStream in = down.body()) {
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) != -1; ) {
        got.update(buf, 0, r);
        n += r;
      }
    }
    double downSeconds = (System.nanoTime() - t1) / 1e9;
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(n).isEqualTo(BIG);
    assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
    assertThat(ui.isAlive()).as("edfs ui survived").isTrue();
    System.out.printf(
        "edfs ui (%s): %d MiB up in %.1f s (%.0f MiB/s), down in %.1f s (%.0f MiB/s)%n",
        HEAP, BIG >> 20, upSeconds, (BIG >> 20) / upSeconds, downSeconds, (BIG >> 20) / downSeconds);
  }

  @Test
  @Order(4)
  @DisplayName("what edfs ui printed holds no file name, token, key or password")
  void logsNoSecrets() throws Exception {
    // SIGTERM through the handle: Process.destroy() would also close the pipes before we read them
    ui.toHandle().destroy();
    assertThat(ui.waitFor(20, TimeUnit.SECONDS)).isTrue();
    errDrain.join(10_000);
    String printed = uiErr + uiOut.lines().reduce("", String::concat);
    assertThat(printed).doesNotContain("stderr unreadable");
    assertThat(printed).doesNotContain("big.bin", "alice's passphrase", firstLink.getFragment().substring(6));
    for (String key : keys) {
      assertThat(printed).doesNotContain(key);
    }
  }

  void stdinLink() throws IOException {
    ui.getOutputStream().write('\n');
    ui.getOutputStream().flush();
  }

  /** A request that fails after a minute rather than hang the build. */
  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(60));
  }

  /** The key for a link's token, or null when the link is refused. */
  String trade(String token) throws Exception {
    var r =
        http.send(
            request(URI.create(origin + "/api/session"))
                .header("Origin", origin)
                .POST(BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(Map.of("token", token))))
                .build(),
            BodyHandlers.ofString());
    String key = r.statusCode() == 200 ? Json.mapper().readTree(r.body()).path("key").asText() : null;
    if (key != null) {
      keys.add(key);
    }
    return key;
  }

  JsonNode post(String path, Object body, String key) throws Exception {
    var r =
        http.send(
            request(URI.create(origin + path))
                .header("Origin", origin)
                .header("X-Edfs-Key", key)
                .POST(BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)))
                .build(),
            BodyHandlers.ofString());
    return Json.mapper().readTree(r.body());
  }

  JsonNode get(String path, String key) throws Exception {
    var r = http.send(request(URI.create(origin + path)).header("X-Edfs-Key", key).GET().build(), BodyHandlers.ofString());
    return Json.mapper().readTree(r.body());
  }

  /** {@code size} pseudo-random bytes, hashed as they are read. */
  static final class Generated extends InputStream {
    private final Random random = new Random(42);
    private final MessageDigest digest;
    private long left;

    Generated(long size, MessageDigest digest) {
      this.left = size;
      this.digest = digest;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      byte[] chunk = new byte[n];
      random.nextBytes(chunk);
      System.arraycopy(chunk, 0, b, off, n);
      digest.update(chunk);
      left -= n;
      return n;
    }
  }
}
