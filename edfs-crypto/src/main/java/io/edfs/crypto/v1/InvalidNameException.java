package io.edfs.crypto.v1;

/** A file or folder name that format v1 does not allow; the message says why. */
public class InvalidNameException extends CryptoException {
  public InvalidNameException(String message) {
    super(message);
  }
}
