package io.edfs.client;

import io.edfs.crypto.v1.Argon2Params;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to reach a server.
 *
 * @param server the server's https URI
 * @param knownServers the file of pinned certificate fingerprints (one {@code host:port
 *     FINGERPRINT} per line); a first connection to a server pins its certificate (like ssh
 *     accept-new), a changed one is refused
 * @param notices receives one-line notices for people (e.g. "pinned new certificate")
 * @param timeout connect timeout and the longest a metadata request may take
 * @param parallelism how many blocks are in flight at once during a transfer
 * @param minimumKdf the weakest password hashing a server may ask for at login: a server that
 *     sends cheaper parameters could brute-force the password from what it receives, so login
 *     refuses (default: {@link Argon2Params#DEFAULT})
 */
public record ClientOptions(
    URI server,
    Path knownServers,
    Consumer<String> notices,
    Duration timeout,
    int parallelism,
    Argon2Params minimumKdf) {
  public ClientOptions {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(knownServers, "knownServers");
    Objects.requireNonNull(notices, "notices");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(minimumKdf, "minimumKdf");
    if (!"https".equals(server.getScheme()) || server.getHost() == null) {
      throw new IllegalArgumentException("server must be an https URL, got " + server);
    }
    if (parallelism < 1 || parallelism > 64) {
      throw new IllegalArgumentException("parallelism " + parallelism + " not in 1..64");
    }
  }

  /** Defaults: 10 s timeout, 4 blocks in flight, notices dropped. */
  public static ClientOptions of(URI server, Path knownServers) {
    return new ClientOptions(server, knownServers, s -> {}, Duration.ofSeconds(10), 4, Argon2Params.DEFAULT);
  }

  public ClientOptions withNotices(Consumer<String> notices) {
    return new ClientOptions(server, knownServers, notices, timeout, parallelism, minimumKdf);
  }

  public ClientOptions withParallelism(int parallelism) {
    return new ClientOptions(server, knownServers, notices, timeout, parallelism, minimumKdf);
  }

  /** Accepts weaker password hashing at login (tests, or accounts made with lower costs). */
  public ClientOptions withMinimumKdf(Argon2Params minimumKdf) {
    return new ClientOptions(server, knownServers, notices, timeout, parallelism, minimumKdf);
  }
}
