package io.edfs.protocol;

import java.util.UUID;

/** Public information about a user: what another user needs to share with them. */
public record UserInfo(UUID userId, String username, byte[] publicKeys) {}
