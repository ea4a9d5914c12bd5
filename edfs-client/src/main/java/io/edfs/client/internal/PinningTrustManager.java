package io.edfs.client.internal;

import io.edfs.client.CertificateChangedException;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server's certificate by its SHA-256 fingerprint alone: the first one seen for a
 * host:port is pinned (accept-new), a different one later is refused. Self-signed
 * certificates need no CA; pinning is stronger than a host-name check, so none is made.
 *
 * <p>A refusal is thrown as a {@link PinMismatch}, which the TLS stack keeps as the cause of the
 * handshake failure: {@link #refusal(Throwable)} finds it there, whatever transport connected
 * and however it spelled the host.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {
  private final KnownServers known;
  private final Consumer<String> notices;

  /** The presented certificate is not the one pinned for its server: the handshake is refused. */
  public static final class PinMismatch extends CertificateException {
    private final CertificateChangedException refusal;

    PinMismatch(CertificateChangedException refusal) {
      super(refusal.getMessage());
      this.refusal = refusal;
    }

    /** The refusal as the SDK reports it. */
    public CertificateChangedException refusal() {
      return refusal;
    }
  }

  public PinningTrustManager(KnownServers known, Consumer<String> notices) {
    this.known = known;
    this.notices = notices;
  }

  /** Uppercase hex pairs of the certificate's SHA-256, joined by ':' (as keytool prints). */
  public static String fingerprint(X509Certificate cert) throws CertificateException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The pin refusal among the causes of {@code failure} (such as a failed TLS handshake), if any. */
  public static Optional<CertificateChangedException> refusal(Throwable failure) {
    // bounded: a cause chain may loop
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
      if (t instanceof PinMismatch mismatch) {
        return Optional.of(mismatch.refusal());
      }
    }
    return Optional.empty();
  }

  private void check(X509Certificate[] chain, String host, int port) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("server sent no certificate");
    }
    String hostPort = KnownServers.key(host, port);
    String presented = fingerprint(chain[0]);
    var pinned = known.pinned(hostPort);
    if (pinned.isEmpty()) {
      known.pin(hostPort, presented);
      notices.accept("pinned certificate of " + hostPort + ": SHA-256 " + presented);
      return;
    }
    if (!pinned.get().equalsIgnoreCase(presented)) {
      throw new PinMismatch(new CertificateChangedException(hostPort, pinned.get(), presented));
    }
    chain[0].checkValidity();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine.getPeerHost(), engine.getPeerPort());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    // the host the socket was opened for (as the SSLEngine variant sees it), so a server
    // reached by name is pinned under the same host:port whichever transport connects
    String host =
        socket instanceof SSLSocket ssl
                && ssl.getHandshakeSession() != null
                && ssl.getHandshakeSession().getPeerHost() != null
            ? ssl.getHandshakeSession().getPeerHost()
            : socket.getInetAddress().getHostAddress();
    check(chain, host, socket.getPort());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("pinning needs the peer's host and port");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("not a server trust manager");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("not a server trust manager");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("not a server trust manager");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
