package io.edfs.crypto.v1;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.UUID;

/**
 * Grants: a node's secret and plaintext name sealed with HPKE to a grantee's public key, context
 * info {@code edfs/v1/share|<nodeId>|<granteeId>|<mode>}; mode is {@code R} or {@code W}.
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
      byte[] granteePublicKeys,
      NodeSecret secret,
      String name,
      UUID nodeId,
      UUID granteeId,
      String mode) {
    byte[] context = Labels.share(nodeId, granteeId, mode);
    byte[] nameBytes = Names.validate(name).getBytes(StandardCharsets.UTF_8);
    var encrypt = Keysets.hybridEncrypt(Keysets.parsePublicBundle(granteePublicKeys));
    byte[] raw = secret.rawBytes();
    byte[] plaintext = new byte[raw.length + nameBytes.length];
    System.arraycopy(raw, 0, plaintext, 0, raw.length);
    System.arraycopy(nameBytes, 0, plaintext, raw.length, nameBytes.length);
    try {
      return encrypt.encrypt(plaintext, context);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("HPKE encryption failed", e);
    } finally {
      Arrays.fill(raw, (byte) 0);
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The secret and name in an authentic grant's plaintext (not wiped here). */
  static Opened opened(byte[] plaintext, UUID nodeId) {
    if (plaintext.length <= NodeSecret.BYTES) {
      throw new CryptoException("grant of " + nodeId + " holds " + plaintext.length + " bytes");
    }
    String name = Names.decode(Arrays.copyOfRange(plaintext, NodeSecret.BYTES, plaintext.length));
    return new Opened(NodeSecret.unwrapped(Arrays.copyOf(plaintext, NodeSecret.BYTES)), name);
  }
}
