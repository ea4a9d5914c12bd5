package io.edfs.client;

import io.edfs.client.internal.KnownServers;
import io.edfs.crypto.v1.Argon2Params;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to reach a server, or the nodes of a cluster.
 *
 * @param servers the https URIs of the nodes, in order of preference: requests go to one node
 *     and stay with it while it works; when it fails (no connection, a broken or timed-out
 *     exchange, a 5xx answer) the request goes to the next node in the list, round robin, and
 *     the client stays with whichever node then answers (see {@code failover})
 * @param knownServers the file of pinned certificate fingerprints (one {@code host:port
 *     FINGERPRINT} per line); a first connection to a server pins its certificate (like ssh
 *     accept-new), a changed one is refused: never skipped for another node
 * @param notices receives one-line notices for people (e.g. "pinned new certificate", or which
 *     node the client switched to)
 * @param timeout connect timeout, the longest a metadata request may take on one node, and the
 *     longest a block transfer may go without a byte moving (a node that froze)
 * @param failover how long after a request's first failure the client keeps trying: every node
 *     is tried once in any case, then further rounds follow, after a pause of 0.2 s doubling up
 *     to 2 s, while this budget lasts ({@link Duration#ZERO}: one round)
 * @param parallelism how many blocks are in flight at once during a transfer
 * @param minimumKdf the weakest password hashing a server may ask for at login: a server that
 *     sends cheaper parameters could brute-force the password from what it receives, so login
 *     refuses (default: {@link Argon2Params#DEFAULT})
 */
public record ClientOptions(
    List<URI> servers,
    Path knownServers,
    Consumer<String> notices,
    Duration timeout,
    Duration failover,
    int parallelism,
    Argon2Params minimumKdf) {
  /** The default failover budget of a client of several nodes. */
  public static final Duration DEFAULT_FAILOVER = Duration.ofSeconds(30);

  /** The longest failover budget: a client should report an outage to someone eventually. */
  public static final Duration MAX_FAILOVER = Duration.ofHours(1);

  public ClientOptions {
    Objects.requireNonNull(servers, "servers");
    Objects.requireNonNull(knownServers, "knownServers");
    Objects.requireNonNull(notices, "notices");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(failover, "failover");
    Objects.requireNonNull(minimumKdf, "minimumKdf");
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one server URL is needed");
    }
    List<String> seen = new ArrayList<>();
    for (URI server : servers) {
      if (!"https".equals(server.getScheme()) || server.getHost() == null) {
        throw new IllegalArgumentException("server must be an https URL, got " + server);
      }
      String hostPort = KnownServers.key(server);
      if (seen.contains(hostPort)) {
        throw new IllegalArgumentException("server " + server + " is listed twice");
      }
      seen.add(hostPort);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (failover.isNegative() || failover.compareTo(MAX_FAILOVER) > 0) {
      throw new IllegalArgumentException("failover must be in 0.." + MAX_FAILOVER + ", got " + failover);
    }
    if (parallelism < 1 || parallelism > 64) {
      throw new IllegalArgumentException("parallelism " + parallelism + " not in 1..64");
    }
  }

  /** Defaults for one server: 10 s timeout, 4 blocks in flight, notices dropped, no failover. */
  public static ClientOptions of(URI server, Path knownServers) {
    return of(List.of(server), knownServers);
  }

  /**
   * Defaults for the nodes of a cluster: 10 s timeout per request and node, {@link
   * #DEFAULT_FAILOVER} of failover (none with a single server, which fails at once as a client
   * of one server always did), 4 blocks in flight, notices dropped.
   */
  public static ClientOptions of(List<URI> servers, Path knownServers) {
    Duration failover = servers.size() > 1 ? DEFAULT_FAILOVER : Duration.ZERO;
    return new ClientOptions(
        servers, knownServers, s -> {}, Duration.ofSeconds(10), failover, 4, Argon2Params.DEFAULT);
  }

  public ClientOptions withNotices(Consumer<String> notices) {
    return new ClientOptions(servers, knownServers, notices, timeout, failover, parallelism, minimumKdf);
  }

  public ClientOptions withTimeout(Duration timeout) {
    return new ClientOptions(servers, knownServers, notices, timeout, failover, parallelism, minimumKdf);
  }

  public ClientOptions withFailover(Duration failover) {
    return new ClientOptions(servers, knownServers, notices, timeout, failover, parallelism, minimumKdf);
  }

  public ClientOptions withParallelism(int parallelism) {
    return new ClientOptions(servers, knownServers, notices, timeout, failover, parallelism, minimumKdf);
  }

  /** Accepts weaker password hashing at login (tests, or accounts made with lower costs). */
  public ClientOptions withMinimumKdf(Argon2Params minimumKdf) {
    return new ClientOptions(servers, knownServers, notices, timeout, failover, parallelism, minimumKdf);
  }
}
