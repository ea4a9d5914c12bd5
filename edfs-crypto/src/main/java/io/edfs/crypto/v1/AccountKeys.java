package io.edfs.crypto.v1;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.subtle.Random;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An account's private material: an HPKE key pair
 * (DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM) for receiving shares, an Ed25519 signing pair,
 * and a random 32-byte account key that wraps the home folder's secret (so a password change
 * re-wraps only this bundle). Thread-safe for use; wipe with {@link #close()}.
 */
public final class AccountKeys implements AutoCloseable {
  private static final int ACCOUNT_KEY_BYTES = 32;

  /** Everything, dropped as one on close so no thread sees half of it. */
  private record State(
      KeysetHandle hpke,
      KeysetHandle signing,
      byte[] accountKey,
      HybridDecrypt grants,
      Aead home) {}

  private volatile State state;

  private AccountKeys(KeysetHandle hpke, KeysetHandle signing, byte[] accountKey) {
    byte[] homeKey = Ciphers.hkdf(accountKey, Labels.HOME, Ciphers.KEY_BYTES);
    this.state =
        new State(hpke, signing, accountKey, Keysets.hybridDecrypt(hpke), Ciphers.aesGcm(homeKey));
    Arrays.fill(homeKey, (byte) 0);
  }

  /** Generates fresh keys. */
  public static AccountKeys generate() {
    return new AccountKeys(
        Keysets.generateHpke(), Keysets.generateEd25519(), Random.randBytes(ACCOUNT_KEY_BYTES));
  }

  /**
   * Serialized public keysets (HPKE and Ed25519), safe to store in clear and hand to other users;
   * input to {@link Sharing#seal}.
   */
  public byte[] publicKeys() {
    State s = state();
    return Keysets.write(
        List.of(
            Keysets.serializePublic(Keysets.publicHandle(s.hpke())),
            Keysets.serializePublic(Keysets.publicHandle(s.signing()))),
        new byte[0]);
  }

  /**
   * The private bundle in clear. A deliberate call: only for a local file readable by its user
   * alone (the CLI session) or for {@link PasswordKeys#sealAccount}.
   */
  public byte[] exportPrivate() {
    State s = state();
    byte[] hpke = Keysets.serializePrivate(s.hpke());
    byte[] signing = Keysets.serializePrivate(s.signing());
    try {
      return Keysets.write(List.of(hpke, signing), s.accountKey());
    } finally {
      Arrays.fill(hpke, (byte) 0);
      Arrays.fill(signing, (byte) 0);
    }
  }

  /** Reverses {@link #exportPrivate()}; throws {@link CryptoException} if malformed. */
  public static AccountKeys importPrivate(byte[] bundle) {
    List<byte[]> parts = Keysets.read(bundle, 2, ACCOUNT_KEY_BYTES, "account bundle");
    try {
      return new AccountKeys(
          Keysets.parsePrivate(parts.get(0), HpkePrivateKey.class, Keysets.HPKE),
          Keysets.parsePrivate(parts.get(1), Ed25519PrivateKey.class, Keysets.ED25519),
          parts.get(2).clone());
    } finally {
      parts.forEach(part -> Arrays.fill(part, (byte) 0));
    }
  }

  /**
   * Wraps the home folder's secret: AES-256-GCM under HKDF(accountKey, {@code edfs/v1/home}),
   * associated data {@code edfs/v1/key|<homeId>|<userId>}.
   */
  public byte[] wrapHome(NodeSecret home, UUID homeId, UUID userId) {
    byte[] ad = Labels.ad(Labels.KEY, homeId, userId);
    Aead aead = state().home();
    byte[] raw = home.rawBytes();
    try {
      return Ciphers.encrypt(aead, raw, ad);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Reverses {@link #wrapHome}; throws {@link TamperedException} on any mismatch. */
  public NodeSecret unwrapHome(byte[] wrapped, UUID homeId, UUID userId) {
    Objects.requireNonNull(wrapped, "wrapped");
    byte[] ad = Labels.ad(Labels.KEY, homeId, userId);
    return NodeSecret.unwrapped(
        Ciphers.decrypt(state().home(), wrapped, ad, "home key of " + userId));
  }

  /**
   * Opens a grant sealed to this account by {@link Sharing#seal}; the same nodeId, granteeId and
   * mode must be given, else {@link TamperedException}.
   */
  public Sharing.Opened openGrant(byte[] sealed, UUID nodeId, UUID granteeId, String mode) {
    Objects.requireNonNull(sealed, "sealed");
    byte[] context = Labels.share(nodeId, granteeId, mode);
    byte[] plaintext;
    try {
      plaintext = state().grants().decrypt(sealed, context);
    } catch (GeneralSecurityException e) {
      throw new TamperedException("grant of " + nodeId + " to " + granteeId, e);
    }
    try {
      return Sharing.opened(plaintext, nodeId);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Wipes the account key and drops the keysets; later use throws. */
  @Override
  public void close() {
    State s = state;
    state = null;
    if (s != null) {
      Arrays.fill(s.accountKey(), (byte) 0);
    }
  }

  private State state() {
    State s = state;
    if (s == null) {
      throw new IllegalStateException("account keys are closed");
    }
    return s;
  }
}
