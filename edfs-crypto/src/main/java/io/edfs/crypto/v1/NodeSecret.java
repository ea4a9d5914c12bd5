package io.edfs.crypto.v1;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;

/**
 * A folder's or file's random 32-byte secret and the keys HKDF-SHA256 derives from it:
 * {@code nameKey} (64 bytes, AES-SIV, info {@code edfs/v1/name}) for the names of its
 * children, {@code wrapKey} (AES-256-GCM, info {@code edfs/v1/wrap}) for its children's
 * secrets, {@code contentKey} (info {@code edfs/v1/content}) for a file's contents.
 * Thread-safe; wipe with {@link #close()}.
 */
public final class NodeSecret implements AutoCloseable {
  /** Secret length in bytes. */
  public static final int BYTES = 32;

  /** A fresh random secret. */
  public static NodeSecret random() {
    throw new UnsupportedOperationException("TODO");
  }

  /** A secret from its raw bytes (copied). A deliberate call: test vectors, unwrapping. */
  public static NodeSecret fromBytes(byte[] raw) {
    throw new UnsupportedOperationException("TODO");
  }

  /** A copy of the raw secret. A deliberate call: sealing, wrapping. */
  public byte[] rawBytes() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Encrypts the name of a child of this folder: validated and NFC-normalised by {@link
   * Names#validate}, then AES-SIV under this node's nameKey, associated data {@code
   * edfs/v1/name|<thisId>}. Deterministic: the same name under the same folder always gives
   * the same bytes, so the server can enforce unique names without reading them.
   */
  public byte[] encryptChildName(String name, UUID thisId) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reverses {@link #encryptChildName}; {@link TamperedException} on any mismatch. */
  public String decryptChildName(byte[] encName, UUID thisId) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Wraps a child's secret under this node's wrapKey (AES-256-GCM), associated data {@code
   * edfs/v1/key|<childId>|<thisId>}.
   */
  public byte[] wrapChild(NodeSecret child, UUID childId, UUID thisId) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reverses {@link #wrapChild}; {@link TamperedException} on any mismatch. */
  public NodeSecret unwrapChild(byte[] wrapped, UUID childId, UUID thisId) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * A stream that encrypts what is written to it into {@code ciphertext}: Tink streaming AEAD
   * AES-GCM-HKDF (SHA-256, 32-byte derived keys, ciphertext segment size {@code segmentSize})
   * keyed by this file's contentKey, associated data {@code edfs/v1/content|<fileId>|<versionId>}.
   * Closing it writes the last segment and closes {@code ciphertext}.
   */
  public OutputStream encryptingStream(
      OutputStream ciphertext, UUID fileId, UUID versionId, int segmentSize) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * A stream of the plaintext of {@code ciphertext}. Reading throws an {@link
   * java.io.IOException} whose cause chain contains a {@link TamperedException}-worthy failure
   * (wrapped as {@code IOException}) if any byte, the ids, the segment order or the end was
   * changed; it never returns unauthenticated bytes.
   */
  public InputStream decryptingStream(
      InputStream ciphertext, UUID fileId, UUID versionId, int segmentSize) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
