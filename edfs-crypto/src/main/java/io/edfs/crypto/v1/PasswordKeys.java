package io.edfs.crypto.v1;

import java.util.UUID;

/**
 * Keys derived from a password: Argon2id(NFC(password), salt, params) → 64 bytes, split by
 * HKDF-SHA256 into {@code authKey} (info {@code edfs/v1/auth}, 32 bytes, the only thing ever
 * sent to a server) and {@code masterKey} (info {@code edfs/v1/master}, 32 bytes, never leaves
 * this object). Not thread-safe; wipe with {@link #close()}.
 */
public final class PasswordKeys implements AutoCloseable {
  /** Length of a fresh salt. */
  public static final int SALT_BYTES = 16;

  /** A fresh random salt of {@link #SALT_BYTES}. */
  public static byte[] newSalt() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Derives both keys (slow by design: ~0.3 s at the default parameters). */
  public static PasswordKeys derive(char[] password, byte[] salt, Argon2Params params) {
    throw new UnsupportedOperationException("TODO");
  }

  /** A copy of the 32-byte authentication key. */
  public byte[] authKey() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Encrypts the account's private keys with AES-256-GCM under the master key, associated
   * data {@code edfs/v1/account|<userId>}.
   */
  public byte[] sealAccount(AccountKeys keys, UUID userId) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Reverses {@link #sealAccount}. Throws {@link TamperedException} on a wrong password (wrong
   * master key), a different userId, or any changed byte.
   */
  public AccountKeys openAccount(byte[] sealed, UUID userId) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
