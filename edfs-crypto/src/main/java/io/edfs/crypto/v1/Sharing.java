package io.edfs.crypto.v1;

import java.util.UUID;

/**
 * Grants: a node's secret and plaintext name sealed with HPKE to a grantee's public key,
 * context info {@code edfs/v1/share|<nodeId>|<granteeId>|<mode>}; mode is {@code R} or
 * {@code W}.
 */
public final class Sharing {
  private Sharing() {}

  /** What a grantee recovers from a grant. Close to wipe the secret. */
  public record Opened(NodeSecret secret, String name) implements AutoCloseable {
    @Override
    public void close() {
      secret.close();
    }
  }

  /** Seals {@code secret} and {@code name} for the grantee whose public keys are given. */
  public static byte[] seal(
      byte[] granteePublicKeys, NodeSecret secret, String name, UUID nodeId, UUID granteeId, String mode) {
    throw new UnsupportedOperationException("TODO");
  }
}
