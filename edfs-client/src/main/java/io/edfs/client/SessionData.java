package io.edfs.client;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

/**
 * What a logged-in client keeps between runs: the server, the bearer token and its expiry,
 * the account's ids and its private keys in clear. Store it only where its user alone can
 * read it (the CLI writes it mode 0600), like an ssh key without a passphrase.
 */
public record SessionData(
    URI server,
    String token,
    Instant expiresAt,
    String username,
    UUID userId,
    UUID homeId,
    byte[] homeWrappedKey,
    byte[] privateKeys) {}
