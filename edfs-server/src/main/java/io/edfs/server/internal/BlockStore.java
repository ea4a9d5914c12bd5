package io.edfs.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * Stores immutable blocks by SHA-256 (64 lowercase hex characters). Implementations are
 * thread-safe and hold no state a server node must keep: several nodes may share one store. {@link
 * #put} returns only once the block is durable, and when it throws stores no partial or wrong block
 * (a mirror may keep a complete copy on the side that succeeded). Storing a block twice is
 * harmless: the content is the same. Implementations: {@code DiskBlockStore} ({@code file:}),
 * {@code S3BlockStore} ({@code s3://}), {@code MirrorBlockStore} ({@code mirror:}); {@code
 * BlockStores} opens one from a URI. A store that cannot be reached throws {@link
 * BlockStoreUnavailableException}.
 *
 * <p>Only the garbage collector and repair delete blocks, and only under the protocol of {@code
 * Blocks} (a block's row is marked for deletion first), so a store need not guard against a delete
 * racing a put.
 */
interface BlockStore extends AutoCloseable {
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

  /** Removes a block; does nothing if it is not stored. */
  void delete(String hash) throws IOException;

  /**
   * Calls {@code each} for every stored block, in no particular order. Throws if the listing fails
   * part way: a caller that deletes what it did not see listed must then do nothing.
   */
  void list(Visitor each) throws IOException;

  /**
   * The installation id the store's marker holds ({@value #MARKER} in the store's root, never
   * listed as a block), or empty when the store has none. A mirror answers for its sides together
   * and throws if they name different installations.
   */
  Optional<String> readMarker() throws IOException;

  /**
   * Writes (or replaces) the marker naming the installation whose database owns the store; durable
   * when it returns. A mirror writes it on both sides.
   */
  void writeMarker(String installation) throws IOException;

  /** The name of the marker in the store's root folder or key prefix. */
  String MARKER = ".edfs-store";

  /** Where the blocks are, for people: never with a credential. */
  String describe();

  /** Releases connections and threads; the blocks stay. */
  @Override
  default void close() {}

  /** A stored block as a listing sees it. */
  record Stored(String hash, long length, Instant modified) {}

  /** Receives listed blocks. */
  @FunctionalInterface
  interface Visitor {
    void visit(Stored block) throws IOException;
  }
}
