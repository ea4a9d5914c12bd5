package io.edfs.crypto.v1;

/** Root of the crypto module's exceptions. */
public class CryptoException extends RuntimeException {
  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
