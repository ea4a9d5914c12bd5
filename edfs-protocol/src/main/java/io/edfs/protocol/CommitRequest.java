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
 */
public record CommitRequest(
    UUID versionId, UUID baseVersionId, long size, int segmentSize, List<BlockRef> blocks) {}
