package io.edfs.protocol;

import java.util.UUID;

/** A grant re-sealed for its grantee after the node was renamed. */
public record Reseal(UUID granteeId, byte[] sealedKey) {}
