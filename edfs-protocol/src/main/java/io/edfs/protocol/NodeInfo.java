package io.edfs.protocol;

import java.time.Instant;
import java.util.UUID;

/**
 * A folder or file as the server stores it: encrypted name and wrapped key, never plaintext.
 *
 * @param parentId nullable: null for a home folder
 * @param encName nullable: null for a home folder
 * @param size ciphertext size of the current version (0 for folders and empty files)
 * @param version nullable: the current version of a file (null for folders and new files);
 *     its {@code blocks} are included
 * @param access what the requesting user may do with this node
 * @param shared whether the node has grants (only reported to its owner; false otherwise)
 */
public record NodeInfo(
    UUID id,
    UUID parentId,
    UUID ownerId,
    NodeKind kind,
    byte[] encName,
    byte[] wrappedKey,
    long size,
    VersionInfo version,
    Instant createdAt,
    Instant modifiedAt,
    Access access,
    boolean shared) {}
