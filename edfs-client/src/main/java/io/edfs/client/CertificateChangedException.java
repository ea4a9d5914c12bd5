package io.edfs.client;

/** The server presented a certificate other than the one pinned for it: refused. */
public final class CertificateChangedException extends EdfsException {
  private final String server;
  private final String pinned;
  private final String presented;

  public CertificateChangedException(String server, String pinned, String presented) {
    super(
        Reason.CERTIFICATE_CHANGED,
        "server certificate changed for "
            + server
            + " (pinned "
            + pinned
            + ", presented "
            + presented
            + "); refusing to connect");
    this.server = server;
    this.pinned = pinned;
    this.presented = presented;
  }

  public String server() {
    return server;
  }

  public String pinned() {
    return pinned;
  }

  public String presented() {
    return presented;
  }
}
