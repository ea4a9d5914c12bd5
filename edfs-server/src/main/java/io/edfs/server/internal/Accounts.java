package io.edfs.server.internal;

import static io.edfs.server.internal.ApiException.badRequest;

import io.edfs.protocol.Account;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.KdfParams;
import io.edfs.protocol.LoginRequest;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.PreloginRequest;
import io.edfs.protocol.PreloginResponse;
import io.edfs.protocol.SessionResponse;
import io.edfs.protocol.SignupRequest;
import io.edfs.protocol.UserInfo;
import io.edfs.server.internal.NodeStore.NodeRow;
import io.edfs.server.internal.UserStore.UserRow;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Accounts and sessions (DESIGN §3 Password): signup, prelogin, login with rate limiting, logout,
 * and turning a bearer token into a user. Only HMAC(pepper, authKey) and SHA-256 of tokens are
 * stored. Thread-safe.
 */
final class Accounts {
  /** Argon2id parameters reported for unknown users: the client defaults. */
  static final KdfParams DEFAULT_KDF = new KdfParams(65536, 3, 1);

  static final int AUTH_KEY_BYTES = 32;
  static final int SALT_BYTES = 16;
  private static final int TOKEN_BYTES = 32;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

  /** The authenticated caller of a request. */
  record Session(UUID userId, byte[] tokenHash) {}

  private final Database db;
  private final UserStore users;
  private final NodeStore nodes;
  private final ServerSecret secret;
  private final SecureRandom random;
  private final Clock clock;
  private final Duration sessionTtl;
  private final long defaultQuota;
  private final RateLimiter perUser;
  private final RateLimiter perAddress;
  // compared against when the user does not exist, so both paths cost the same
  private final byte[] dummyHash;

  Accounts(
      Database db,
      UserStore users,
      NodeStore nodes,
      ServerSecret secret,
      SecureRandom random,
      Clock clock,
      Duration sessionTtl,
      long defaultQuota,
      RateLimiter perUser,
      RateLimiter perAddress) {
    this.db = db;
    this.users = users;
    this.nodes = nodes;
    this.secret = secret;
    this.random = random;
    this.clock = clock;
    this.sessionTtl = sessionTtl;
    this.defaultQuota = defaultQuota;
    this.perUser = perUser;
    this.perAddress = perAddress;
    this.dummyHash = secret.authHash(new byte[AUTH_KEY_BYTES]);
  }

  SessionResponse signup(SignupRequest r) {
    UUID userId = Checks.required(r.userId(), "userId");
    String username = Checks.username(r.username());
    byte[] authKey = Checks.bytes(r.authKey(), "authKey", AUTH_KEY_BYTES, AUTH_KEY_BYTES);
    byte[] salt = Checks.bytes(r.salt(), "salt", SALT_BYTES, SALT_BYTES);
    KdfParams kdf = Checks.kdf(r.kdf());
    byte[] publicKeys = Checks.bytes(r.publicKeys(), "publicKeys", 1, Checks.MAX_KEY_BYTES);
    byte[] privateKeys = Checks.bytes(r.privateKeys(), "privateKeys", 1, Checks.MAX_KEY_BYTES);
    UUID homeId = Checks.required(r.homeId(), "homeId");
    byte[] homeKey = Checks.bytes(r.homeWrappedKey(), "homeWrappedKey", 1, Checks.MAX_KEY_BYTES);
    long now = clock.millis();
    UserRow user =
        new UserRow(
            userId,
            username,
            secret.authHash(authKey),
            salt,
            kdf,
            publicKeys,
            privateKeys,
            homeId,
            defaultQuota,
            0,
            now);
    NodeRow home = new NodeRow(homeId, null, userId, NodeKind.D, null, homeKey, null, 0, now, now);
    return db.write(
        c -> {
          if (users.byUsername(c, username).isPresent()) {
            throw new ApiException(ErrorType.USER_EXISTS, "username '" + username + "' is taken");
          }
          if (users.exists(c, userId)) {
            throw new ApiException(ErrorType.USER_EXISTS, "user id " + userId + " exists");
          }
          if (nodes.node(c, homeId).isPresent()) {
            throw badRequest("homeId " + homeId + " is already used by another node");
          }
          try {
            users.insert(c, user);
          } catch (SQLException e) {
            if (db.dialect().isUniqueViolation(e)) {
              // a concurrent signup took the name between the check above and this insert
              throw new ApiException(ErrorType.USER_EXISTS, "username '" + username + "' is taken");
            }
            throw e;
          }
          nodes.insert(c, home);
          return newSession(c, user, home);
        });
  }

  PreloginResponse prelogin(PreloginRequest r) {
    String username = Checks.username(r.username());
    Optional<UserRow> user = db.read(c -> users.byUsername(c, username));
    return user.map(u -> new PreloginResponse(u.salt(), u.kdf()))
        .orElseGet(() -> new PreloginResponse(secret.fakeSalt(username), DEFAULT_KDF));
  }

  SessionResponse login(LoginRequest r, String clientAddress) {
    byte[] authKey = Checks.bytes(r.authKey(), "authKey", AUTH_KEY_BYTES, AUTH_KEY_BYTES);
    String raw = Checks.required(r.username(), "username");
    // an impossible username fails like a wrong password: nothing to learn from the answer
    String username = Checks.isUsername(raw) ? Checks.username(raw) : "";
    String userKey = "user|" + username;
    String addressKey = "addr|" + clientAddress;
    Optional<Duration> wait =
        perUser.retryAfter(userKey).or(() -> perAddress.retryAfter(addressKey));
    if (wait.isPresent()) {
      throw ApiException.rateLimited(wait.get());
    }
    byte[] hash = secret.authHash(authKey);
    Optional<UserRow> user =
        username.isEmpty() ? Optional.empty() : db.read(c -> users.byUsername(c, username));
    boolean matches =
        MessageDigest.isEqual(user.map(UserRow::authHash).orElse(dummyHash), hash)
            && user.isPresent();
    if (!matches) {
      perUser.recordFailure(userKey);
      perAddress.recordFailure(addressKey);
      throw new ApiException(ErrorType.INVALID_CREDENTIALS, "wrong username or password");
    }
    // the per-address counter is deliberately kept: one success must not unlock guessing others
    perUser.reset(userKey);
    return db.write(
        c -> {
          users.deleteExpiredSessions(c, clock.millis());
          UserRow u = users.byId(c, user.get().id()).orElseThrow();
          NodeRow home = nodes.node(c, u.homeId()).orElseThrow();
          return newSession(c, u, home);
        });
  }

  void logout(Session session) {
    db.write(
        c -> {
          users.deleteSession(c, session.tokenHash());
          return null;
        });
  }

  /** The session of an {@code Authorization: Bearer <token>} header. */
  Session authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(ErrorType.UNAUTHENTICATED, "missing 'Authorization: Bearer' header");
    }
    String token = authorization.substring(7).strip();
    if (!TOKEN.matcher(token).matches()) {
      throw new ApiException(ErrorType.UNAUTHENTICATED, "invalid or expired session");
    }
    byte[] tokenHash = sha256(Base64.getUrlDecoder().decode(token));
    long now = clock.millis();
    return db.read(c -> users.sessionUser(c, tokenHash, now))
        .map(user -> new Session(user, tokenHash))
        .orElseThrow(
            () -> new ApiException(ErrorType.UNAUTHENTICATED, "invalid or expired session"));
  }

  Account account(UUID userId) {
    return db.read(
        c -> {
          UserRow u =
              users
                  .byId(c, userId)
                  .orElseThrow(() -> new ApiException(ErrorType.UNAUTHENTICATED, "no account"));
          NodeRow home = nodes.node(c, u.homeId()).orElseThrow();
          return account(u, home);
        });
  }

  UserInfo user(String rawUsername) {
    if (!Checks.isUsername(rawUsername)) {
      throw new ApiException(ErrorType.UNKNOWN_USER, "no user '" + rawUsername + "'");
    }
    String username = Checks.username(rawUsername);
    return db.read(c -> users.byUsername(c, username))
        .map(u -> new UserInfo(u.id(), u.username(), u.publicKeys()))
        .orElseThrow(() -> new ApiException(ErrorType.UNKNOWN_USER, "no user '" + username + "'"));
  }

  private SessionResponse newSession(Connection c, UserRow user, NodeRow home) throws SQLException {
    byte[] token = new byte[TOKEN_BYTES];
    random.nextBytes(token);
    long now = clock.millis();
    long expires = Instant.ofEpochMilli(now).plus(sessionTtl).toEpochMilli();
    users.insertSession(c, sha256(token), user.id(), now, expires);
    return new SessionResponse(
        Base64.getUrlEncoder().withoutPadding().encodeToString(token),
        Instant.ofEpochMilli(expires),
        account(user, home));
  }

  private static Account account(UserRow u, NodeRow home) {
    return new Account(
        u.id(),
        u.username(),
        u.homeId(),
        home.wrappedKey(),
        u.publicKeys(),
        u.privateKeys(),
        u.salt(),
        u.kdf(),
        u.quotaBytes(),
        u.usedBytes());
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
