package io.edfs.protocol;

import java.time.Instant;
import java.util.UUID;

/** A grant of access to one node, with the names of both users and the node's kind. */
public record GrantInfo(
    UUID nodeId,
    NodeKind kind,
    UUID ownerId,
    String ownerName,
    UUID granteeId,
    String granteeName,
    Mode mode,
    byte[] sealedKey,
    Instant createdAt) {}
