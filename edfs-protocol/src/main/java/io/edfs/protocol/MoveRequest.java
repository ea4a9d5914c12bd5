package io.edfs.protocol;

import java.util.List;
import java.util.UUID;

/**
 * Renames and/or moves a node: the name re-encrypted and the secret re-wrapped under the
 * (possibly unchanged) parent {@code parentId}. {@code reseals} carries the node's grants
 * re-sealed with the new name (may be empty; every grant of the node must be present when
 * the node has grants).
 */
public record MoveRequest(UUID parentId, byte[] encName, byte[] wrappedKey, List<Reseal> reseals) {}
