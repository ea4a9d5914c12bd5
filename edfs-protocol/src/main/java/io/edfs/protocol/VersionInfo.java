package io.edfs.protocol;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One committed version of a file. {@code size} is the ciphertext size; the client derives
 * the plaintext size from it and {@code segmentSize}. {@code blocks} may be empty in listings
 * (then fetch the version to get them). {@code meta} is the encrypted metadata the client
 * committed with the version (nullable: none).
 */
public record VersionInfo(
    UUID id,
    long seq,
    long size,
    int segmentSize,
    UUID authorId,
    Instant createdAt,
    List<BlockRef> blocks,
    byte[] meta) {}
