package io.edfs.protocol;

import java.util.List;
import java.util.UUID;

/**
 * Commits a new version of a file. All blocks must already be stored. The commit succeeds
 * only if the file's current version is still {@code baseVersionId} (nullable: the file has
 * no version yet); otherwise the server answers 409 {@code version-conflict} with the current
 * version id. Committing the same {@code versionId} again returns the first result.
 *
 * @param size total ciphertext size (sum of block lengths)
 * @param inline nullable: the bytes of the version's only block, for small files (at most
 *     {@link #MAX_INLINE_BYTES}); the server verifies them against {@code blocks[0]} and stores
 *     them durably before committing, saving the separate block upload
 * @param meta nullable: the version's metadata (its file's modification time, its content's
 *     hash), encrypted by the client and bound to the file and version (format v1, "Version
 *     metadata"); the server keeps it with the version and cannot read it; at most {@link
 *     #MAX_META_BYTES}
 */
public record CommitRequest(
    UUID versionId,
    UUID baseVersionId,
    long size,
    int segmentSize,
    List<BlockRef> blocks,
    byte[] inline,
    byte[] meta) {
  /** Largest inline block: small enough that its base64 fits a JSON body comfortably. */
  public static final int MAX_INLINE_BYTES = 512 * 1024;

  /** Largest encrypted metadata of a version. */
  public static final int MAX_META_BYTES = 256;

  /** A commit without metadata, its content inline ({@code inline} nullable). */
  public CommitRequest(
      UUID versionId, UUID baseVersionId, long size, int segmentSize, List<BlockRef> blocks, byte[] inline) {
    this(versionId, baseVersionId, size, segmentSize, blocks, inline, null);
  }

  /** A commit of blocks already uploaded. */
  public CommitRequest(
      UUID versionId, UUID baseVersionId, long size, int segmentSize, List<BlockRef> blocks) {
    this(versionId, baseVersionId, size, segmentSize, blocks, null, null);
  }
}
