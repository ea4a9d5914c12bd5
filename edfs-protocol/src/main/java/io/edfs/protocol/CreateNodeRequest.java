package io.edfs.protocol;

import java.util.UUID;

/**
 * Creates a folder or file under {@code parentId}. A file may be created with its first
 * version in the same request ({@code version} nullable), so a small file costs one block
 * upload and this one call.
 */
public record CreateNodeRequest(
    UUID id,
    UUID parentId,
    NodeKind kind,
    byte[] encName,
    byte[] wrappedKey,
    CommitRequest version) {}
