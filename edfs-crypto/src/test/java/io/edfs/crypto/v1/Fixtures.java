package io.edfs.crypto.v1;

import com.google.crypto.tink.proto.KeyData;
import com.google.crypto.tink.proto.Keyset;
import com.google.protobuf.ByteString;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;

/** Shared test inputs and helpers. */
final class Fixtures {
  /** The cheapest Argon2 parameters allowed, so tests stay fast. */
  static final Argon2Params FAST = new Argon2Params(8192, 1, 1);

  /** XOR masks used when flipping a byte: the lowest and the highest bit. */
  static final int[] MASKS = {0x01, 0x80};

  static final int SMALL_SEGMENT = ContentFormat.MIN_SEGMENT_SIZE;

  private Fixtures() {}

  /** Deterministic pseudo-random bytes. */
  static byte[] bytes(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] flipped(byte[] original, int index, int mask) {
    byte[] copy = original.clone();
    copy[index] ^= (byte) mask;
    return copy;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /**
   * {@code keyset} (Tink binary format) with the key data value of its first key replaced: the
   * keyset keeps its shape, but Tink cannot parse the key.
   */
  static byte[] withKeyValue(byte[] keyset, byte[] value) {
    try {
      Keyset parsed = Keyset.parseFrom(keyset, ExtensionRegistryLite.getEmptyRegistry());
      Keyset.Key key = parsed.getKey(0);
      KeyData data = key.getKeyData().toBuilder().setValue(ByteString.copyFrom(value)).build();
      return parsed.toBuilder().setKey(0, key.toBuilder().setKeyData(data)).build().toByteArray();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a keyset", e);
    }
  }

  /** Plaintext bytes of the first segment, and of every later one. */
  static int firstSegmentPlaintext(int segmentSize) {
    return segmentSize - ContentFormat.HEADER_BYTES - ContentFormat.TAG_BYTES;
  }

  static int segmentPlaintext(int segmentSize) {
    return segmentSize - ContentFormat.TAG_BYTES;
  }

  /** Encrypts in one bulk write. */
  static byte[] encrypt(NodeSecret key, byte[] plaintext, UUID fileId, UUID versionId, int segment)
      throws IOException {
    return encryptInChunks(key, plaintext, fileId, versionId, segment, Integer.MAX_VALUE);
  }

  /** Encrypts in writes of at most {@code chunk} bytes. */
  static byte[] encryptInChunks(
      NodeSecret key, byte[] plaintext, UUID fileId, UUID versionId, int segment, int chunk)
      throws IOException {
    ByteArrayOutputStream ciphertext = new ByteArrayOutputStream();
    try (OutputStream out = key.encryptingStream(ciphertext, fileId, versionId, segment)) {
      for (int off = 0; off < plaintext.length; off += chunk) {
        out.write(plaintext, off, Math.min(chunk, plaintext.length - off));
      }
    }
    return ciphertext.toByteArray();
  }

  static byte[] decrypt(NodeSecret key, byte[] ciphertext, UUID fileId, UUID versionId, int segment)
      throws IOException {
    try (InputStream in =
        key.decryptingStream(new ByteArrayInputStream(ciphertext), fileId, versionId, segment)) {
      return in.readAllBytes();
    }
  }

  /** The ciphertext's segments, the header kept at the front of the first. */
  static byte[][] segments(byte[] ciphertext, int segmentSize) {
    int count = (ciphertext.length + segmentSize - 1) / segmentSize;
    byte[][] segments = new byte[count][];
    for (int i = 0; i < count; i++) {
      segments[i] =
          Arrays.copyOfRange(
              ciphertext, i * segmentSize, Math.min(ciphertext.length, (i + 1) * segmentSize));
    }
    return segments;
  }

  static UUID id() {
    return UUID.randomUUID();
  }
}
