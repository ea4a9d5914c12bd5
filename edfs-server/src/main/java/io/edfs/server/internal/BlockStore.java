package io.edfs.server.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Stores immutable blocks by SHA-256 (64 lowercase hex characters). Implementations are
 * thread-safe; {@link #put} returns only once the block is durable, and stores nothing when it
 * throws. Storing a block twice is harmless: the content is the same.
 */
interface BlockStore {
  /**
   * Reads exactly {@code length} bytes from {@code in} and stores them as block {@code hash}.
   *
   * @throws ApiException of type {@code hash-mismatch} if the bytes do not hash to {@code hash}
   * @throws java.io.EOFException if {@code in} ends before {@code length} bytes
   * @throws IOException if reading {@code in} or storing fails
   */
  void put(String hash, long length, InputStream in) throws IOException;

  /** Whether the block is stored. */
  boolean contains(String hash) throws IOException;

  /**
   * Opens a stored block positioned at {@code offset}; the caller closes it.
   *
   * @throws java.nio.file.NoSuchFileException if the block is not stored
   */
  InputStream open(String hash, long offset) throws IOException;
}
