package io.edfs.crypto.v1;

/**
 * Authenticated decryption failed: the ciphertext, its associated data (ids, mode, order) or
 * the key is not what it was encrypted with. Also thrown for a wrong password.
 */
public class TamperedException extends CryptoException {
  public TamperedException(String what) {
    super("integrity check failed: " + what);
  }

  public TamperedException(String what, Throwable cause) {
    super("integrity check failed: " + what, cause);
  }
}
