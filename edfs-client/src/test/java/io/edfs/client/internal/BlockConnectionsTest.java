package io.edfs.client.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BlockConnections} against a scripted HTTP/1.1 server on a TLS server socket (a
 * self-signed certificate made with the JDK's keytool), so every framing and connection case
 * can be produced exactly.
 */
@DisplayName("BlockConnections")
class BlockConnectionsTest {
  private static final String PATH = "/v1/blocks/" + "ab".repeat(32);
  private static final String AUTH = "Bearer t0ken";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path dir;
  private static SSLContext serverTls;
  private static SSLContext clientTls;

  private FakeServer server;
  private BlockConnections client;

  @BeforeAll
  static void certificates() throws Exception {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
    Path keytool = java.resolveSibling(windows ? "keytool.exe" : "keytool");
    Path keystore = dir.resolve("server.p12");
    Process p =
        new ProcessBuilder(
                keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, new SecureRandom());

    // as Transport builds it: the certificate is pinned on first sight
    var trust = new PinningTrustManager(new KnownServers(dir.resolve("known_servers")), notice -> {});
    clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, new TrustManager[] {trust}, new SecureRandom());
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(Handler handler) throws IOException {
    server = new FakeServer(handler);
    client = new BlockConnections(clientTls, "127.0.0.1", server.port(), TIMEOUT);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static String ok(int length) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n";
  }

  @Test
  @DisplayName("PUT sends the head and exactly body[0, length) and reads a 204")
  void putSendsBodyIntact() throws Exception {
    start(
        p -> {
          p.received(p.read());
          p.send("HTTP/1.1 204 No Content\r\n\r\n");
        });
    byte[] data = random(300_000);
    byte[] array = Arrays.copyOf(data, data.length + 100);
    Arrays.fill(array, data.length, array.length, (byte) 7); // must not be sent

    BlockConnections.Answer a = client.put(PATH, AUTH, array, data.length, TIMEOUT);

    assertThat(a.status()).isEqualTo(204);
    assertThat(a.body()).isEmpty();
    Request r = server.requests.poll(5, TimeUnit.SECONDS);
    assertThat(r.method()).isEqualTo("PUT");
    assertThat(r.path()).isEqualTo(PATH);
    assertThat(r.headers())
        .containsEntry("host", "127.0.0.1:" + server.port())
        .containsEntry("authorization", AUTH)
        .containsEntry("content-type", "application/octet-stream")
        .containsEntry("content-length", "300000");
    assertThat(r.body()).isEqualTo(data);
  }

  @Test
  @DisplayName("GET reads exactly Content-Length bytes into the array and nothing beyond")
  void getReadsIntoArray() throws Exception {
    byte[] data = random(200_000);
    start(
        p -> {
          p.received(p.read());
          p.send(ok(data.length), data);
        });
    byte[] into = new byte[data.length + 16];
    Arrays.fill(into, (byte) 0x55);

    BlockConnections.Answer a = client.get(PATH, AUTH, into, data.length, TIMEOUT);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEmpty();
    assertThat(Arrays.copyOf(into, data.length)).isEqualTo(data);
    assertThat(Arrays.copyOfRange(into, data.length, into.length)).containsOnly((byte) 0x55);
    Request r = server.requests.poll(5, TimeUnit.SECONDS);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.headers()).containsEntry("authorization", AUTH).doesNotContainKey("content-length");
    assertThat(r.body()).isEmpty();
  }

  @Test
  @DisplayName("a chunked answer body is decoded (extensions and trailers skipped) up to its end")
  void chunkedBodyIsDecoded() throws Exception {
    start(
        p -> {
          p.read();
          p.send(
              "HTTP/1.1 409 Conflict\r\nContent-Type: application/problem+json\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n");
          p.read();
          p.send("HTTP/1.1 204 No Content\r\n\r\n");
        });

    BlockConnections.Answer a = client.put(PATH, AUTH, new byte[10], 10, TIMEOUT);
    assertThat(a.status()).isEqualTo(409);
    assertThat(a.contentType()).isEqualTo("application/problem+json");
    assertThat(new String(a.body(), UTF_8)).isEqualTo("hello, world");
    // the body ended exactly where the chunked framing said: the connection is still in step
    assertThat(client.put(PATH, AUTH, new byte[10], 10, TIMEOUT).status()).isEqualTo(204);
    assertThat(server.accepted.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("a chunked block download is refused: the server always frames blocks by Content-Length")
  void chunkedBlockIsRefused() throws Exception {
    start(
        p -> {
          p.read();
          p.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
        });
    assertThatThrownBy(() -> client.get(PATH, AUTH, new byte[4], 4, TIMEOUT))
        .isInstanceOf(BlockConnections.WrongLength.class);
  }

  @Test
  @DisplayName("a block of another length than expected is a WrongLength, and its connection is not reused")
  void wrongLength() throws Exception {
    start(
        p -> {
          for (Request r; (r = p.read()) != null; ) {
            p.send(ok(99), new byte[99]);
          }
        });
    assertThatThrownBy(() -> client.get(PATH, AUTH, new byte[100], 100, TIMEOUT))
        .isInstanceOf(BlockConnections.WrongLength.class)
        .hasMessageContaining("expected 100")
        .hasMessageContaining("99");
    // its unread body makes that connection unusable: the next request opens a new one
    assertThat(client.get(PATH, AUTH, new byte[99], 99, TIMEOUT).status()).isEqualTo(200);
    assertThat(server.accepted.get()).isEqualTo(2);
  }

  @Test
  @DisplayName("a block cut short by the server closing the connection is an IOException")
  void bodyCutShort() throws Exception {
    start(
        p -> {
          p.read();
          p.send(ok(1000), new byte[400]);
          p.socket.close();
        });
    assertThatThrownBy(() -> client.get(PATH, AUTH, new byte[1000], 1000, TIMEOUT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("400 of 1000");
  }

  @Test
  @DisplayName("an error status comes back as an Answer with its status, type and body; the connection is kept")
  void errorStatusIsAnAnswer() throws Exception {
    byte[] problem =
        "{\"type\":\"urn:edfs:unauthorized\",\"title\":\"Unauthorized\",\"status\":401}".getBytes(UTF_8);
    start(
        p -> {
          for (Request r; (r = p.read()) != null; ) {
            p.send(
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\nContent-Length: "
                    + problem.length
                    + "\r\n\r\n",
                problem);
          }
        });
    byte[] into = new byte[1000];

    BlockConnections.Answer a = client.get(PATH, AUTH, into, into.length, TIMEOUT);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.contentType()).isEqualTo("application/problem+json");
    assertThat(a.body()).isEqualTo(problem);
    assertThat(into).containsOnly((byte) 0); // a problem is not a block

    BlockConnections.Answer b = client.put(PATH, AUTH, new byte[5], 5, TIMEOUT);
    assertThat(b.status()).isEqualTo(401);
    assertThat(b.body()).isEqualTo(problem);
    assertThat(server.accepted.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("a keep-alive connection carries the following requests")
  void keepAliveIsReused() throws Exception {
    start(
        p -> {
          for (Request r; (r = p.read()) != null; ) {
            p.received(r);
            p.send(ok(r.body().length), r.body()); // echo
          }
        });
    for (int i = 1; i <= 5; i++) {
      byte[] data = random(i * 1000);
      assertThat(client.put(PATH, AUTH, data, data.length, TIMEOUT).body()).isEqualTo(data);
    }
    byte[] into = new byte[0];
    assertThat(client.get(PATH, AUTH, into, 0, TIMEOUT).status()).isEqualTo(200);
    assertThat(server.accepted.get()).isEqualTo(1);
    assertThat(server.requests).hasSize(6);
  }

  @Test
  @DisplayName("a connection the server closed while idle is retried once, transparently, on a new one")
  void staleConnectionIsRetried() throws Exception {
    CountDownLatch firstClosed = new CountDownLatch(1);
    byte[] data = random(1000);
    start(
        p -> {
          if (p.number == 1) {
            p.received(p.read());
            p.send(ok(data.length), data); // keep-alive, as far as the client knows
            p.socket.close();
            firstClosed.countDown();
          } else {
            for (Request r; (r = p.read()) != null; ) {
              p.received(r);
              p.send(ok(data.length), data);
            }
          }
        });
    assertThat(client.get(PATH, AUTH, new byte[1000], 1000, TIMEOUT).status()).isEqualTo(200);
    assertThat(firstClosed.await(5, TimeUnit.SECONDS)).isTrue();

    byte[] into = new byte[1000];
    assertThat(client.get(PATH, AUTH, into, 1000, TIMEOUT).status()).isEqualTo(200);
    assertThat(into).isEqualTo(data);
    assertThat(server.accepted.get()).isEqualTo(2);
    assertThat(server.requests).hasSize(2); // the retried request reached the server once
  }

  @Test
  @DisplayName("a new connection closed before any answer is an IOException, not retried")
  void freshConnectionIsNotRetried() throws Exception {
    start(
        p -> {
          p.read();
          p.socket.close();
        });
    assertThatThrownBy(() -> client.get(PATH, AUTH, new byte[10], 10, TIMEOUT))
        .isInstanceOf(IOException.class);
    assertThat(server.accepted.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("an answer with Connection: close is not reused, even if the server keeps the socket open")
  void connectionCloseIsNotReused() throws Exception {
    start(
        p -> {
          for (Request r; (r = p.read()) != null; ) {
            p.send("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
          }
        });
    for (int i = 0; i < 3; i++) {
      assertThat(client.put(PATH, AUTH, new byte[10], 10, TIMEOUT).status()).isEqualTo(204);
    }
    assertThat(server.accepted.get()).isEqualTo(3);
  }

  @Test
  @DisplayName("the timeout ends a GET the server never answers")
  void timeoutEndsSilentGet() throws Exception {
    start(
        p -> {
          p.read();
          p.hang();
        });
    long start = System.nanoTime();
    assertThatThrownBy(() -> client.get(PATH, AUTH, new byte[10], 10, Duration.ofMillis(300)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  /** A PUT of 64 MiB, more than socket buffers hold, on another thread: its answer or its IOException. */
  private static CompletableFuture<Object> bigPut(BlockConnections client, Duration timeout) {
    byte[] big = new byte[64 << 20];
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return client.put(PATH, AUTH, big, big.length, timeout);
          } catch (IOException e) {
            return e;
          }
        });
  }

  @Test
  @DisplayName("the timeout ends a PUT whose body the server stops reading (a blocked write)")
  void timeoutEndsBlockedPut() throws Exception {
    start(
        p -> {
          p.readHead(); // and never the body: the client's write fills the socket buffers and blocks
          p.hang();
        });
    long start = System.nanoTime();
    Object outcome = bigPut(client, Duration.ofMillis(300)).get(5, TimeUnit.SECONDS); // a hang here is the bug
    assertThat(outcome).isInstanceOf(IOException.class);
    assertThat(((IOException) outcome).getMessage()).contains("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  @DisplayName("a timeout on a reused connection is not retried: the time limit holds")
  void timeoutOnReusedConnectionIsNotRetried() throws Exception {
    start(
        p -> {
          p.read();
          p.send(ok(0));
          if (p.number == 1) {
            p.read();
            p.hang();
          }
        });
    assertThat(client.get(PATH, AUTH, new byte[0], 0, TIMEOUT).status()).isEqualTo(200);
    assertThatThrownBy(() -> client.get(PATH, AUTH, new byte[0], 0, Duration.ofMillis(300)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("timed out");
    assertThat(server.accepted.get()).isEqualTo(1);
  }

  /** A client whose transfers fail once nothing moved for {@code quiet}. */
  private BlockConnections quietClient(Duration quiet) {
    client.close();
    client = new BlockConnections(clientTls, "127.0.0.1", server.port(), quiet);
    return client;
  }

  @Test
  @DisplayName("a PUT whose body a frozen server stops reading ends once nothing moved for the quiet limit")
  void quietLimitEndsBlockedPut() throws Exception {
    start(
        p -> {
          p.readHead();
          p.hang();
        });
    BlockConnections quick = quietClient(Duration.ofMillis(500));
    long start = System.nanoTime();
    Object outcome = bigPut(quick, Duration.ofMinutes(5)).get(10, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(IOException.class);
    assertThat(((IOException) outcome).getMessage()).contains("timed out: nothing moved for 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked read ignores interrupts
  @DisplayName("a GET whose block stops midway (a frozen server) ends once nothing moved for the quiet limit")
  void quietLimitEndsStalledGet() throws Exception {
    int length = 1 << 20;
    start(
        p -> {
          p.read();
          p.send(ok(length), random(100_000));
          p.hang();
        });
    BlockConnections quick = quietClient(Duration.ofMillis(500));
    long start = System.nanoTime();
    assertThatThrownBy(() -> quick.get(PATH, AUTH, new byte[length], length, Duration.ofMinutes(5)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("timed out: nothing moved for 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("a slow block that keeps moving is not cut by the quiet limit, only by the time limit")
  void slowButMovingGetCompletes() throws Exception {
    int piece = 64 << 10;
    int pieces = 12;
    byte[] data = random(piece * pieces);
    start(
        p -> {
          p.read();
          p.send(ok(data.length));
          for (int i = 0; i < pieces; i++) {
            Thread.sleep(200);
            p.send("", Arrays.copyOfRange(data, i * piece, (i + 1) * piece));
          }
        });
    BlockConnections quick = quietClient(Duration.ofMillis(500));
    byte[] into = new byte[data.length];
    // 2.4 s in all, far beyond the quiet limit, with never 500 ms between two pieces
    assertThat(quick.get(PATH, AUTH, into, into.length, Duration.ofMinutes(1)).status()).isEqualTo(200);
    assertThat(into).isEqualTo(data);
  }

  // ---- a scripted HTTP/1.1 server ----

  record Request(String method, String path, Map<String, String> headers, byte[] body) {}

  @FunctionalInterface
  interface Handler {
    void serve(Peer peer) throws Exception;
  }

  /** Accepts TLS connections and runs the handler for each on its own thread. */
  static final class FakeServer implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final SSLServerSocket listener;
    private final List<Socket> sockets = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    FakeServer(Handler handler) throws IOException {
      listener =
          (SSLServerSocket)
              serverTls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual()
          .start(
              () -> {
                while (true) {
                  Socket s;
                  try {
                    s = listener.accept();
                  } catch (IOException e) {
                    return; // closed
                  }
                  synchronized (sockets) {
                    sockets.add(s);
                  }
                  int number = accepted.incrementAndGet();
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try (s) {
                              handler.serve(new Peer(this, s, number));
                            } catch (Exception e) {
                              // the client went away (or was made to): this connection is over
                            }
                          });
                }
              });
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      stopped.countDown();
      listener.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }

  /** One accepted connection, as the handler sees it. */
  static final class Peer {
    final int number;
    final Socket socket;
    private final FakeServer server;
    private final BufferedInputStream in;
    private final OutputStream out;

    Peer(FakeServer server, Socket socket, int number) throws IOException {
      this.server = server;
      this.socket = socket;
      this.number = number;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** The next request with its body, or null when the client closed the connection. */
    Request read() throws IOException {
      Request head = readHead();
      if (head == null) {
        return null;
      }
      String length = head.headers().get("content-length");
      byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
      return new Request(head.method(), head.path(), head.headers(), body);
    }

    /** The request line and headers only. */
    Request readHead() throws IOException {
      String first = line();
      if (first == null) {
        return null;
      }
      String[] parts = first.split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h; !(h = line()).isEmpty(); ) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      return new Request(parts[0], parts[1], headers, new byte[0]);
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) {
          return null;
        }
        sb.append((char) b);
      }
      return sb.toString().stripTrailing();
    }

    void received(Request r) {
      server.requests.add(r);
    }

    void send(String head, byte[]... bodies) throws IOException {
      out.write(head.getBytes(ISO_8859_1));
      for (byte[] b : bodies) {
        out.write(b);
      }
      out.flush();
    }

    /** Holds the connection open, silent, until the server stops. */
    void hang() throws InterruptedException {
      server.stopped.await();
    }
  }
}
