package io.edfs.testing;

import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

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
      deleteRecursively(dir);
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
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new PinnedTrustManager(fingerprint())}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create an SSL context", e);
    }
  }

  /** Stops the server and deletes its data folder. */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      deleteRecursively(dataDir);
    }
  }

  @Override
  public String toString() {
    return "TestServer[" + uri() + "]";
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Trusts one certificate by its SHA-256 fingerprint; host names are not checked. */
  private static final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final String fingerprint;

    PinnedTrustManager(String fingerprint) {
      this.fingerprint = fingerprint;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("no server certificate");
      }
      try {
        String actual =
            HexFormat.ofDelimiter(":")
                .withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
        if (!actual.equals(fingerprint)) {
          throw new CertificateException(
              "server certificate " + actual + " is not the pinned " + fingerprint);
        }
      } catch (GeneralSecurityException e) {
        throw new CertificateException(e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("server certificates only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("server certificates only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("server certificates only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
