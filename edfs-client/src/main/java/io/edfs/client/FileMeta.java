package io.edfs.client;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a file version records about its content, encrypted with it (format v1, "Version
 * metadata"): the file's own modification time, as the writer's file system had it, and the
 * SHA-256 of its plaintext when the writer computed it. The server stores only ciphertext.
 *
 * @param modified the file's modification time, to the millisecond
 * @param sha256 the plaintext's SHA-256 in lowercase hex, when known
 */
public record FileMeta(Instant modified, Optional<String> sha256) {
  /** The plaintext encoding's version. */
  static final byte FORMAT = 1;

  private static final int HAS_SHA256 = 1;

  public FileMeta {
    modified = Instant.ofEpochMilli(modified.toEpochMilli());
    sha256.ifPresent(h -> {
      if (!h.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
      }
    });
  }

  /** {@code [1][flags][modified: int64 epoch ms][sha256: 32 bytes if flag 1]}. */
  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(2 + 8 + (sha256.isPresent() ? 32 : 0));
    b.put(FORMAT).put((byte) (sha256.isPresent() ? HAS_SHA256 : 0)).putLong(modified.toEpochMilli());
    sha256.ifPresent(h -> b.put(HexFormat.of().parseHex(h)));
    return b.array();
  }

  /** Reverses {@link #encode}; empty for a format this client does not know (a newer writer's). */
  static Optional<FileMeta> decode(byte[] plain) {
    if (plain.length < 10 || plain[0] != FORMAT) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(plain);
    b.get();
    int flags = b.get();
    Instant modified = Instant.ofEpochMilli(b.getLong());
    Optional<String> sha = Optional.empty();
    if ((flags & HAS_SHA256) != 0) {
      if (b.remaining() < 32) {
        return Optional.empty();
      }
      byte[] h = new byte[32];
      b.get(h);
      sha = Optional.of(HexFormat.of().formatHex(h));
    }
    return Optional.of(new FileMeta(modified, sha));
  }
}
