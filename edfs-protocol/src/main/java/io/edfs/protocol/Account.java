package io.edfs.protocol;

import java.util.UUID;

/** Everything a client needs to unlock an account after deriving the master key. */
public record Account(
    UUID userId,
    String username,
    UUID homeId,
    byte[] homeWrappedKey,
    byte[] publicKeys,
    byte[] privateKeys,
    byte[] salt,
    KdfParams kdf,
    long quotaBytes,
    long usedBytes) {}
