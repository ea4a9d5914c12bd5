package io.edfs.client;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a logged-in client keeps between runs: the servers it logged in with (the nodes its token
 * may be sent to), the bearer token and its expiry, the account's ids and its private keys in
 * clear. Store it only where its user alone can read it (the CLI writes it mode 0600), like an
 * ssh key without a passphrase.
 */
public record SessionData(
    List<URI> servers,
    String token,
    Instant expiresAt,
    String username,
    UUID userId,
    UUID homeId,
    byte[] homeWrappedKey,
    byte[] privateKeys) {
  public SessionData {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("a session needs the servers it logged in with");
    }
  }
}
