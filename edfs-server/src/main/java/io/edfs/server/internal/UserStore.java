package io.edfs.server.internal;

import static io.edfs.server.internal.Rows.setUuid;
import static io.edfs.server.internal.Rows.uuid;

import io.edfs.protocol.KdfParams;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/** SQL for {@code users} and {@code sessions}. Stateless; callers bring the transaction. */
final class UserStore {
  private final Dialect dialect;

  UserStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** A user row. {@code authHash} is HMAC(pepper, authKey), never the key itself. */
  record UserRow(
      UUID id,
      String username,
      byte[] authHash,
      byte[] salt,
      KdfParams kdf,
      byte[] publicKeys,
      byte[] privateKeys,
      UUID homeId,
      long quotaBytes,
      long usedBytes,
      long createdAt) {}

  private static final String COLUMNS =
      "id, username, auth_hash, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism,"
          + " public_keys, private_keys_enc, home_node_id, quota_bytes, used_bytes, created_at";

  void insert(Connection c, UserRow u) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      setUuid(ps, 1, u.id());
      ps.setString(2, u.username());
      ps.setBytes(3, u.authHash());
      ps.setBytes(4, u.salt());
      ps.setInt(5, u.kdf().memoryKib());
      ps.setInt(6, u.kdf().iterations());
      ps.setInt(7, u.kdf().parallelism());
      ps.setBytes(8, u.publicKeys());
      ps.setBytes(9, u.privateKeys());
      setUuid(ps, 10, u.homeId());
      ps.setLong(11, u.quotaBytes());
      ps.setLong(12, u.usedBytes());
      ps.setLong(13, u.createdAt());
      ps.executeUpdate();
    }
  }

  Optional<UserRow> byUsername(Connection c, String username) throws SQLException {
    return one(c, "SELECT " + COLUMNS + " FROM users WHERE username = ?", username);
  }

  Optional<UserRow> byId(Connection c, UUID id) throws SQLException {
    return one(c, "SELECT " + COLUMNS + " FROM users WHERE id = ?", id.toString());
  }

  boolean exists(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE id = ?")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Locks the trees of {@code owner} and, when another user acts in it, of {@code actor} (their
   * {@code users} rows) until the transaction ends. Every transaction that changes a tree, its
   * grants or its owner's quota takes this lock first, so on engines with many writers the
   * changes to one tree are serialised, and the checks a change makes (a name is free, a version
   * is still current, a move makes no cycle, the quota holds) stay true until it commits. Trees of
   * different owners change in parallel; a subtree never crosses owners.
   *
   * <p>The actor is locked too, and the two rows in id order, because the transaction references
   * the actor's row (as a version's author, a grant's grantee): InnoDB checks such a reference
   * with a shared lock on the row, so alice writing into bob's share while bob writes into
   * alice's would otherwise deadlock. Returns whether the owner exists.
   */
  boolean lockTrees(Connection c, UUID owner, UUID actor) throws SQLException {
    List<UUID> rows =
        owner.equals(actor) ? List.of(owner) : Stream.of(owner, actor).sorted().toList();
    boolean ownerFound = false;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id FROM users WHERE id = ?" + dialect.lockRows())) {
      for (UUID row : rows) {
        setUuid(ps, 1, row);
        try (ResultSet rs = ps.executeQuery()) {
          ownerFound |= rs.next() && row.equals(owner);
        }
      }
    }
    return ownerFound;
  }

  /** Adds {@code delta} (may be negative) to the user's used bytes. */
  void addUsedBytes(Connection c, UUID id, long delta) throws SQLException {
    if (delta == 0) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE users SET used_bytes = used_bytes + ? WHERE id = ?")) {
      ps.setLong(1, delta);
      setUuid(ps, 2, id);
      ps.executeUpdate();
    }
  }

  void insertSession(Connection c, byte[] tokenHash, UUID userId, long createdAt, long expiresAt)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
                + " VALUES (?, ?, ?, ?)")) {
      ps.setBytes(1, tokenHash);
      setUuid(ps, 2, userId);
      ps.setLong(3, createdAt);
      ps.setLong(4, expiresAt);
      ps.executeUpdate();
    }
  }

  /** The user of a session that has not expired at {@code now}. */
  Optional<UUID> sessionUser(Connection c, byte[] tokenHash, long now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?")) {
      ps.setBytes(1, tokenHash);
      ps.setLong(2, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(uuid(rs, "user_id")) : Optional.empty();
      }
    }
  }

  void deleteSession(Connection c, byte[] tokenHash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE token_hash = ?")) {
      ps.setBytes(1, tokenHash);
      ps.executeUpdate();
    }
  }

  /** Deletes sessions that expired before {@code now}; returns how many. */
  int deleteExpiredSessions(Connection c, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE expires_at <= ?")) {
      ps.setLong(1, now);
      return ps.executeUpdate();
    }
  }

  private static Optional<UserRow> one(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new UserRow(
                uuid(rs, "id"),
                rs.getString("username"),
                rs.getBytes("auth_hash"),
                rs.getBytes("kdf_salt"),
                new KdfParams(
                    rs.getInt("kdf_memory_kib"),
                    rs.getInt("kdf_iterations"),
                    rs.getInt("kdf_parallelism")),
                rs.getBytes("public_keys"),
                rs.getBytes("private_keys_enc"),
                uuid(rs, "home_node_id"),
                rs.getLong("quota_bytes"),
                rs.getLong("used_bytes"),
                rs.getLong("created_at")));
      }
    }
  }
}
