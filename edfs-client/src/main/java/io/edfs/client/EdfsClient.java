package io.edfs.client;

import io.edfs.client.EdfsException.Reason;
import io.edfs.client.internal.KnownServers;
import io.edfs.client.internal.Transport;
import io.edfs.crypto.v1.AccountKeys;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.crypto.v1.CryptoException;
import io.edfs.crypto.v1.NodeSecret;
import io.edfs.crypto.v1.PasswordKeys;
import io.edfs.crypto.v1.TamperedException;
import io.edfs.protocol.Account;
import io.edfs.protocol.KdfParams;
import io.edfs.protocol.LoginRequest;
import io.edfs.protocol.PreloginRequest;
import io.edfs.protocol.PreloginResponse;
import io.edfs.protocol.SessionResponse;
import io.edfs.protocol.SignupRequest;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Entry point of the SDK: connections to one server, or to the nodes of a cluster with failover
 * between them ({@link ClientOptions#servers()}), from which sessions are made by signing up,
 * logging in, or resuming saved {@link SessionData}. Thread-safe.
 *
 * <pre>{@code
 * try (var client = EdfsClient.open(ClientOptions.of(uri, knownServersFile));
 *     var session = client.login("alice", password)) {
 *   session.write("/notes.txt", new ByteArrayInputStream(bytes), Progress.NONE);
 * }
 * }</pre>
 */
public final class EdfsClient implements AutoCloseable {
  private final ClientOptions options;
  private final Transport transport;

  private EdfsClient(ClientOptions options) {
    this.options = options;
    this.transport = new Transport(options);
  }

  /** A client for the servers of {@code options}. No connection is made until the first call. */
  public static EdfsClient open(ClientOptions options) {
    return new EdfsClient(options);
  }

  /** Creates an account with a home folder and logs it in. */
  public Session signup(String username, char[] password) {
    return signup(username, password, Argon2Params.DEFAULT);
  }

  /** As {@link #signup(String, char[])} with explicit key-derivation costs. */
  public Session signup(String username, char[] password, Argon2Params kdf) {
    byte[] salt = PasswordKeys.newSalt();
    UUID userId = UUID.randomUUID();
    UUID homeId = UUID.randomUUID();
    try (PasswordKeys pk = PasswordKeys.derive(password, salt, kdf);
        AccountKeys keys = AccountKeys.generate();
        NodeSecret home = NodeSecret.random()) {
      var request =
          new SignupRequest(
              userId,
              username,
              pk.authKey(),
              salt,
              new KdfParams(kdf.memoryKib(), kdf.iterations(), kdf.parallelism()),
              keys.publicKeys(),
              pk.sealAccount(keys, userId),
              homeId,
              keys.wrapHome(home, homeId, userId));
      SessionResponse session =
          transport.json(
              "POST",
              "/v1/signup",
              request,
              SessionResponse.class,
              answer -> answer.reason() == Reason.USER_EXISTS ? loginAfterLostSignup(username, pk, userId) : Optional.empty());
      return start(session, keys.exportPrivate());
    }
  }

  /**
   * After a signup whose answer was lost, "taken" may mean taken by that very signup: it is
   * ours if the name logs in with this signup's auth key (derived from a fresh random salt) as
   * the user id this signup chose. Anything else leaves the name taken.
   */
  private Optional<SessionResponse> loginAfterLostSignup(String username, PasswordKeys pk, UUID userId) {
    try {
      SessionResponse s =
          transport.json("POST", "/v1/login", new LoginRequest(username, pk.authKey()), SessionResponse.class);
      return s.account().userId().equals(userId) ? Optional.of(s) : Optional.empty();
    } catch (EdfsException e) {
      if (e.reason() == Reason.INVALID_CREDENTIALS) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Logs in: derives the keys from the password, authenticates, unlocks the account. */
  public Session login(String username, char[] password) {
    PreloginResponse pre =
        transport.json("POST", "/v1/prelogin", new PreloginRequest(username), PreloginResponse.class);
    Argon2Params kdf;
    try {
      KdfParams p = pre.kdf();
      kdf = new Argon2Params(p.memoryKib(), p.iterations(), p.parallelism());
    } catch (IllegalArgumentException e) {
      throw new EdfsException(Reason.SERVER_ERROR, "server sent unusable key-derivation parameters: " + e.getMessage());
    }
    Argon2Params floor = options.minimumKdf();
    if (kdf.memoryKib() < floor.memoryKib() || kdf.iterations() < floor.iterations()) {
      throw new EdfsException(
          Reason.TAMPERED,
          "the server asks for weaker password hashing ("
              + kdf
              + ") than this client accepts ("
              + floor
              + "); refusing to send anything derived from the password");
    }
    try (PasswordKeys pk = PasswordKeys.derive(password, pre.salt(), kdf)) {
      SessionResponse session =
          transport.json("POST", "/v1/login", new LoginRequest(username, pk.authKey()), SessionResponse.class);
      Account a = session.account();
      try (AccountKeys keys = pk.openAccount(a.privateKeys(), a.userId())) {
        return start(session, keys.exportPrivate());
      } catch (TamperedException e) {
        throw new EdfsException(Reason.TAMPERED, "the account's keys failed their integrity check", e);
      }
    }
  }

  /**
   * Resumes a saved session; no password needed until the token expires or is revoked.
   *
   * @throws EdfsException {@link Reason#UNAUTHENTICATED} if this client's servers are not among
   *     those the session logged in with: its token is sent to no other server
   */
  public Session resume(SessionData data) {
    Set<String> own = data.servers().stream().map(KnownServers::key).collect(Collectors.toSet());
    List<URI> others = transport.servers().stream().filter(s -> !own.contains(KnownServers.key(s))).toList();
    if (!others.isEmpty()) {
      throw new EdfsException(
          Reason.UNAUTHENTICATED,
          "this session belongs to "
              + join(data.servers())
              + ", not "
              + join(others)
              + "; log in again to use "
              + (others.size() == 1 ? "it" : "them"));
    }
    try {
      return new Session(transport, data, AccountKeys.importPrivate(data.privateKeys()), options.parallelism());
    } catch (CryptoException e) {
      throw new EdfsException(Reason.TAMPERED, "the saved session is damaged; log in again", e);
    }
  }

  private Session start(SessionResponse s, byte[] privateKeys) {
    Account a = s.account();
    var data =
        new SessionData(
            transport.servers(), s.token(), s.expiresAt(), a.username(), a.userId(), a.homeId(), a.homeWrappedKey(), privateKeys);
    return resume(data);
  }

  private static String join(List<URI> servers) {
    return servers.stream().map(URI::toString).collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    transport.close();
  }
}
