package io.edfs.crypto.v1;

/** Sizes of format v1 content ciphertext. */
public final class ContentFormat {
  /** Default ciphertext segment size: 64 KiB (in a fresh JVM the GCM loop is then called often enough to be compiled early; with 1 MiB segments it ran at ~85 MB/s for the first ~500 MiB). */
  public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;

  /** Smallest and largest segment sizes accepted. */
  public static final int MIN_SEGMENT_SIZE = 4 * 1024;

  public static final int MAX_SEGMENT_SIZE = 8 * 1024 * 1024;

  /** Stream header: header-length byte, 32-byte HKDF salt, 7-byte nonce prefix. */
  static final int HEADER_BYTES = 40;

  /** AES-GCM tag closing every segment. */
  static final int TAG_BYTES = 16;

  /** Tink's decrypter counts segments in an int. */
  static final long MAX_SEGMENTS = 1L << 31;

  private ContentFormat() {}

  /** Exact ciphertext size for a plaintext of {@code plaintextSize} bytes. */
  public static long ciphertextSize(long plaintextSize, int segmentSize) {
    long max = maxPlaintextSize(segmentSize);
    if (plaintextSize < 0 || plaintextSize > max) {
      throw new IllegalArgumentException(
          "plaintextSize is "
              + plaintextSize
              + "; allowed 0.."
              + max
              + " at segment size "
              + segmentSize);
    }
    // The header occupies the start of the first segment's plaintext room.
    long segmentPlaintext = segmentSize - TAG_BYTES;
    long stream = plaintextSize + HEADER_BYTES;
    long rest = stream % segmentPlaintext;
    return stream / segmentPlaintext * segmentSize + (rest > 0 ? rest + TAG_BYTES : 0);
  }

  /**
   * Exact plaintext size for a ciphertext of {@code ciphertextSize} bytes; throws {@link
   * CryptoException} if no plaintext size maps to it.
   */
  public static long plaintextSize(long ciphertextSize, int segmentSize) {
    checkSegmentSize(segmentSize);
    long segments =
        Math.max(1, ciphertextSize / segmentSize + (ciphertextSize % segmentSize > 0 ? 1 : 0));
    long plaintext = ciphertextSize - HEADER_BYTES - segments * TAG_BYTES;
    if (plaintext < 0
        || plaintext > maxPlaintextSize(segmentSize)
        || ciphertextSize(plaintext, segmentSize) != ciphertextSize) {
      throw new CryptoException(
          "no content ciphertext is " + ciphertextSize + " bytes at segment size " + segmentSize);
    }
    return plaintext;
  }

  /** Throws {@link IllegalArgumentException} unless MIN..MAX_SEGMENT_SIZE. */
  static void checkSegmentSize(int segmentSize) {
    if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException(
          "segmentSize is "
              + segmentSize
              + "; allowed "
              + MIN_SEGMENT_SIZE
              + ".."
              + MAX_SEGMENT_SIZE);
    }
  }

  private static long maxPlaintextSize(int segmentSize) {
    checkSegmentSize(segmentSize);
    return MAX_SEGMENTS * (segmentSize - TAG_BYTES) - HEADER_BYTES;
  }
}
