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
 * re-wraps only this bundle). Imported keysets are parsed when first used: the home folder needs
 * only the account key. Thread-safe for use; wipe with {@link #close()}.
 */
public final class AccountKeys implements AutoCloseable {
  private static final int ACCOUNT_KEY_BYTES = 32;

  /** Everything, dropped as one on close so no thread sees half of it. */
  private record State(
      LazyKeyset<Hpke> hpke, LazyKeyset<KeysetHandle> signing, byte[] accountKey, Aead home) {}

  /** The HPKE keyset and the primitive that opens grants with it, made together. */
  private record Hpke(KeysetHandle keyset, HybridDecrypt grants) {
    Hpke(KeysetHandle keyset) {
      this(keyset, Keysets.hybridDecrypt(keyset));
    }
  }

  private volatile State state;

  private AccountKeys(LazyKeyset<Hpke> hpke, LazyKeyset<KeysetHandle> signing, byte[] accountKey) {
    byte[] homeKey = Ciphers.hkdf(accountKey, Labels.HOME, Ciphers.KEY_BYTES);
    this.state = new State(hpke, signing, accountKey, Ciphers.aesGcm(homeKey));
    Arrays.fill(homeKey, (byte) 0);
  }

  /** Generates fresh keys. */
  public static AccountKeys generate() {
    return new AccountKeys(
        LazyKeyset.parsed(new Hpke(Keysets.generateHpke())),
        LazyKeyset.parsed(Keysets.generateEd25519()),
        Random.randBytes(ACCOUNT_KEY_BYTES));
  }

  /**
   * Serialized public keysets (HPKE and Ed25519), safe to store in clear and hand to other users;
   * input to {@link Sharing#seal}.
   */
  public byte[] publicKeys() {
    State s = state();
    return Keysets.write(
        List.of(
            Keysets.serializePublic(Keysets.publicHandle(s.hpke().get().keyset())),
            Keysets.serializePublic(Keysets.publicHandle(s.signing().get()))),
        new byte[0]);
  }

  /**
   * The private bundle in clear. A deliberate call: only for a local file readable by its user
   * alone (the CLI session) or for {@link PasswordKeys#sealAccount}.
   */
  public byte[] exportPrivate() {
    State s = state();
    // A keyset not parsed yet goes out as it came in: the same bytes Tink would write again.
    byte[] hpke = s.hpke().serialized(h -> Keysets.serializePrivate(h.keyset()));
    byte[] signing = s.signing().serialized(Keysets::serializePrivate);
    try {
      return Keysets.write(List.of(hpke, signing), s.accountKey());
    } finally {
      Arrays.fill(hpke, (byte) 0);
      Arrays.fill(signing, (byte) 0);
    }
  }

  /**
   * Reverses {@link #exportPrivate()}; throws {@link CryptoException} if malformed. The keysets
   * are only checked for their shape here (each holds keys of its type) and parsed when first
   * used, so that a command within the home folder never starts Tink's registry; a keyset that
   * Tink refuses then throws {@link CryptoException} at that use.
   */
  public static AccountKeys importPrivate(byte[] bundle) {
    List<byte[]> parts = Keysets.read(bundle, 2, ACCOUNT_KEY_BYTES, "account bundle");
    try {
      KeysetShape.require(parts.get(0), KeysetShape.HPKE_PRIVATE, "HPKE private keyset");
      KeysetShape.require(parts.get(1), KeysetShape.ED25519_PRIVATE, "Ed25519 private keyset");
      return new AccountKeys(
          LazyKeyset.serialized(
              parts.get(0).clone(),
              keyset ->
                  new Hpke(Keysets.parsePrivate(keyset, HpkePrivateKey.class, Keysets.HPKE))),
          LazyKeyset.serialized(
              parts.get(1).clone(),
              keyset -> Keysets.parsePrivate(keyset, Ed25519PrivateKey.class, Keysets.ED25519)),
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
      plaintext = state().hpke().get().grants().decrypt(sealed, context);
    } catch (GeneralSecurityException e) {
      throw new TamperedException("grant of " + nodeId + " to " + granteeId, e);
    }
    try {
      return Sharing.opened(plaintext, nodeId);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Wipes the account key and the keysets not parsed yet, and drops the rest; later use throws. */
  @Override
  public void close() {
    State s = state;
    state = null;
    if (s != null) {
      Arrays.fill(s.accountKey(), (byte) 0);
      s.hpke().close();
      s.signing().close();
    }
  }

  private State state() {
    State s = state;
    if (s == null) {
      throw closed();
    }
    return s;
  }

  /** What every use after {@link #close()} throws. */
  static IllegalStateException closed() {
    return new IllegalStateException("account keys are closed");
  }
}
