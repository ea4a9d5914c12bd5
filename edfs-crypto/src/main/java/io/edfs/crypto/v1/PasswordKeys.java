package io.edfs.crypto.v1;

import com.google.crypto.tink.subtle.Random;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Keys derived from a password: Argon2id(NFC(password), salt, params) → 64 bytes, split by
 * HKDF-SHA256 into {@code authKey} (info {@code edfs/v1/auth}, 32 bytes, the only thing ever sent
 * to a server) and {@code masterKey} (info {@code edfs/v1/master}, 32 bytes, never leaves this
 * object). Not thread-safe; wipe with {@link #close()}.
 */
public final class PasswordKeys implements AutoCloseable {
  /** Length of a fresh salt. */
  public static final int SALT_BYTES = 16;

  /** RFC 9106: Argon2 salts are at least 8 bytes. */
  private static final int MIN_SALT_BYTES = 8;

  private static final int ARGON2_OUTPUT_BYTES = 64;

  private final byte[] authKey;
  private final byte[] masterKey;
  private boolean closed;

  private PasswordKeys(byte[] authKey, byte[] masterKey) {
    this.authKey = authKey;
    this.masterKey = masterKey;
  }

  /** A fresh random salt of {@link #SALT_BYTES}. */
  public static byte[] newSalt() {
    return Random.randBytes(SALT_BYTES);
  }

  /** Derives both keys (slow by design: ~0.3 s at the default parameters). */
  public static PasswordKeys derive(char[] password, byte[] salt, Argon2Params params) {
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(params, "params");
    if (salt.length < MIN_SALT_BYTES) {
      throw new IllegalArgumentException(
          "salt is " + salt.length + " bytes; at least " + MIN_SALT_BYTES + " required");
    }
    Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
    argon2.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(params.memoryKib())
            .withIterations(params.iterations())
            .withParallelism(params.parallelism())
            .build());
    byte[] passwordBytes = nfcUtf8(password);
    byte[] stretched = new byte[ARGON2_OUTPUT_BYTES];
    try {
      argon2.generateBytes(passwordBytes, stretched);
      return new PasswordKeys(
          Ciphers.hkdf(stretched, Labels.AUTH, Ciphers.KEY_BYTES),
          Ciphers.hkdf(stretched, Labels.MASTER, Ciphers.KEY_BYTES));
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
      Arrays.fill(stretched, (byte) 0);
    }
  }

  /** A copy of the 32-byte authentication key. */
  public byte[] authKey() {
    checkOpen();
    return authKey.clone();
  }

  /**
   * Encrypts the account's private keys with AES-256-GCM under the master key, associated data
   * {@code edfs/v1/account|<userId>}.
   */
  public byte[] sealAccount(AccountKeys keys, UUID userId) {
    checkOpen();
    byte[] ad = Labels.ad(Labels.ACCOUNT, userId);
    byte[] bundle = keys.exportPrivate();
    try {
      return Ciphers.encrypt(Ciphers.aesGcm(masterKey), bundle, ad);
    } finally {
      Arrays.fill(bundle, (byte) 0);
    }
  }

  /**
   * Reverses {@link #sealAccount}. Throws {@link TamperedException} on a wrong password (wrong
   * master key), a different userId, or any changed byte.
   */
  public AccountKeys openAccount(byte[] sealed, UUID userId) {
    checkOpen();
    Objects.requireNonNull(sealed, "sealed");
    byte[] ad = Labels.ad(Labels.ACCOUNT, userId);
    byte[] bundle =
        Ciphers.decrypt(Ciphers.aesGcm(masterKey), sealed, ad, "account keys of " + userId);
    try {
      return AccountKeys.importPrivate(bundle);
    } finally {
      Arrays.fill(bundle, (byte) 0);
    }
  }

  /** Wipes both keys; later use throws {@link IllegalStateException}. */
  @Override
  public void close() {
    closed = true;
    Arrays.fill(authKey, (byte) 0);
    Arrays.fill(masterKey, (byte) 0);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("password keys are closed");
    }
  }

  private static byte[] nfcUtf8(char[] password) {
    String nfc = Normalizer.normalize(CharBuffer.wrap(password), Normalizer.Form.NFC);
    try {
      ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(nfc));
      byte[] bytes = Arrays.copyOfRange(encoded.array(), 0, encoded.limit());
      Arrays.fill(encoded.array(), (byte) 0);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("password is not valid Unicode (unpaired surrogate)");
    }
  }
}
