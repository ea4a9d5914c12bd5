package io.edfs.testing;

import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * An in-process {@link EdfsServer} for tests: an ephemeral port on 127.0.0.1 and a fresh temporary
 * data folder, both gone after {@link #close()}. Needs no test framework:
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start()) {
 *   var client = HttpClient.newBuilder().sslContext(server.sslContext()).build();
 *   ... server.uri() ...
 * }
 * }</pre>
 */
public final class TestServer implements AutoCloseable {
  private final EdfsServer server;
  private final Path dataDir;

  private TestServer(EdfsServer server, Path dataDir) {
    this.server = server;
    this.dataDir = dataDir;
  }

  /** Starts a server with the default configuration (but an ephemeral port). */
  public static TestServer start() throws IOException {
    return start(UnaryOperator.identity());
  }

  /**
   * Starts a server whose configuration {@code customize} may change (quota, kept versions, session
   * lifetime); the data folder and port are chosen here unless it overrides them.
   */
  public static TestServer start(UnaryOperator<ServerConfig> customize) throws IOException {
    Path dir = Files.createTempDirectory("edfs-test-server-");
    try {
      ServerConfig config = customize.apply(ServerConfig.defaults(dir).withPort(0));
      return new TestServer(EdfsServer.start(config), dir);
    } catch (IOException | RuntimeException e) {
      Folders.deleteRecursively(dir);
      throw e;
    }
  }

  /** The running server. */
  public EdfsServer server() {
    return server;
  }

  /** The base URI, {@code https://127.0.0.1:<port>}. */
  public URI uri() {
    return server.uri();
  }

  /** The certificate's SHA-256 fingerprint, as clients pin it. */
  public String fingerprint() {
    return server.certificateFingerprint();
  }

  /** The server's data folder (deleted on close). */
  public Path dataDir() {
    return server.dataDir();
  }

  /** An SSL context trusting exactly this server's certificate (by fingerprint). */
  public SSLContext sslContext() {
    return PinnedTls.context(fingerprint());
  }

  /** Stops the server and deletes its data folder. */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      Folders.deleteRecursively(dataDir);
    }
  }

  @Override
  public String toString() {
    return "TestServer[" + uri() + "]";
  }
}
