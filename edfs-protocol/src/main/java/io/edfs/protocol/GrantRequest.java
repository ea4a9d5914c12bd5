package io.edfs.protocol;

/**
 * Grants (or changes) access for a user. {@code sealedKey} is the node secret and plaintext
 * name sealed with HPKE to the grantee's public key.
 */
public record GrantRequest(Mode mode, byte[] sealedKey) {}
