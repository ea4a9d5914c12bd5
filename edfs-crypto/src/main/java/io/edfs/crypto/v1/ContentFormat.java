package io.edfs.crypto.v1;

/** Sizes of format v1 content ciphertext. */
public final class ContentFormat {
  /** Default ciphertext segment size: 64 KiB (see PERFORMANCE.md: cold-JVM speed). */
  public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;

  /** Smallest and largest segment sizes accepted. */
  public static final int MIN_SEGMENT_SIZE = 4 * 1024;

  public static final int MAX_SEGMENT_SIZE = 8 * 1024 * 1024;

  private ContentFormat() {}

  /** Exact ciphertext size for a plaintext of {@code plaintextSize} bytes. */
  public static long ciphertextSize(long plaintextSize, int segmentSize) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Exact plaintext size for a ciphertext of {@code ciphertextSize} bytes; throws {@link
   * CryptoException} if no plaintext size maps to it.
   */
  public static long plaintextSize(long ciphertextSize, int segmentSize) {
    throw new UnsupportedOperationException("TODO");
  }
}
