package io.edfs.client.internal;

import io.edfs.client.CertificateChangedException;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server's certificate by its SHA-256 fingerprint alone: the first one seen for a
 * host:port is pinned (accept-new), a different one later is refused. Self-signed
 * certificates need no CA; pinning is stronger than a host-name check, so none is made.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {
  private final KnownServers known;
  private final Consumer<String> notices;
  // the last refusal per host:port, so the caller can turn a handshake failure into a clear error
  private final Map<String, CertificateChangedException> refusals = new ConcurrentHashMap<>();

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

  public CertificateChangedException refusal(String hostPort) {
    return refusals.get(hostPort);
  }

  private void check(X509Certificate[] chain, String host, int port) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("server sent no certificate");
    }
    String hostPort = host + ":" + port;
    String presented = fingerprint(chain[0]);
    var pinned = known.pinned(hostPort);
    if (pinned.isEmpty()) {
      known.pin(hostPort, presented);
      notices.accept("pinned certificate of " + hostPort + ": SHA-256 " + presented);
      return;
    }
    if (!pinned.get().equalsIgnoreCase(presented)) {
      var refusal = new CertificateChangedException(hostPort, pinned.get(), presented);
      refusals.put(hostPort, refusal);
      throw new CertificateException(refusal.getMessage());
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
