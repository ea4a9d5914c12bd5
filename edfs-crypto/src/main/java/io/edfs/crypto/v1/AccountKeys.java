package io.edfs.crypto.v1;

import java.util.UUID;

/**
 * An account's private material: an HPKE key pair
 * (DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM) for receiving shares, an Ed25519
 * signing pair, and a random 32-byte account key that wraps the home folder's secret (so a
 * password change re-wraps only this bundle). Thread-safe for use; wipe with {@link #close()}.
 */
public final class AccountKeys implements AutoCloseable {

  /** Generates fresh keys. */
  public static AccountKeys generate() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Serialized public keysets (HPKE and Ed25519), safe to store in clear and hand to other
   * users; input to {@link Sharing#seal}.
   */
  public byte[] publicKeys() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * The private bundle in clear. A deliberate call: only for a local file readable by its
   * user alone (the CLI session) or for {@link PasswordKeys#sealAccount}.
   */
  public byte[] exportPrivate() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reverses {@link #exportPrivate()}; throws {@link CryptoException} if malformed. */
  public static AccountKeys importPrivate(byte[] bundle) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Wraps the home folder's secret: AES-256-GCM under HKDF(accountKey, {@code edfs/v1/home}),
   * associated data {@code edfs/v1/key|<homeId>|<userId>}.
   */
  public byte[] wrapHome(NodeSecret home, UUID homeId, UUID userId) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reverses {@link #wrapHome}; throws {@link TamperedException} on any mismatch. */
  public NodeSecret unwrapHome(byte[] wrapped, UUID homeId, UUID userId) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Opens a grant sealed to this account by {@link Sharing#seal}; the same nodeId, granteeId
   * and mode must be given, else {@link TamperedException}.
   */
  public Sharing.Opened openGrant(byte[] sealed, UUID nodeId, UUID granteeId, String mode) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
