package io.edfs.server.internal;

import static io.edfs.server.internal.Rows.setUuid;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The idempotency keys of changes already applied ({@code requests}), per user. A client sends a
 * random key with a change ({@value #HEADER}) and the same key when it sends that change again
 * after its answer was lost; a change finds its key here only if an earlier attempt was applied,
 * and is then answered without being applied again (which could undo a later change). A key is
 * looked up and recorded inside the change's transaction, after the tree's lock, so two attempts
 * of one change cannot both miss it. Thread-safe.
 */
final class RequestKeys {
  /** The request header that carries the key. */
  static final String HEADER = "Idempotency-Key";

  /**
   * How long a key is kept: far beyond how long a client sends a change again (its failover
   * budget, 30 s by default).
   */
  static final Duration KEEP = Duration.ofHours(24);

  /** 16 to 64 characters of base64url: a 128-bit random key is 22. */
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{16,64}");

  private final Database db;

  RequestKeys(Database db) {
    this.db = db;
  }

  /** The key if it is well formed, else a bad request naming the rule. */
  static String check(String key) {
    if (!KEY.matcher(key).matches()) {
      throw ApiException.badRequest(
          HEADER + " must be 16 to 64 characters of base64url (A-Z a-z 0-9 - _), got "
              + key.length() + " characters");
    }
    return key;
  }

  /** Whether {@code user} already made a change with {@code key}. */
  boolean seen(Connection c, UUID user, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM requests WHERE user_id = ? AND request_key = ?")) {
      setUuid(ps, 1, user);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Records that {@code user}'s change with {@code key} is applied (in its transaction). */
  void record(Connection c, UUID user, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO requests (user_id, request_key, created_at) VALUES (?, ?, "
                + db.dialect().nowMillis()
                + ")")) {
      setUuid(ps, 1, user);
      ps.setString(2, key);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (db.dialect().isUniqueViolation(e)) {
        // the caller looked it up under the tree's lock: only a key used for two changes gets here
        throw ApiException.badRequest(HEADER + " " + key + " was already used for another change");
      }
      throw e;
    }
  }

  /** Deletes the keys older than {@code keep} (by the database's clock); returns how many. */
  int prune(Duration keep) {
    return db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM requests WHERE created_at < " + db.dialect().nowMillis() + " - ?")) {
            ps.setLong(1, keep.toMillis());
            return ps.executeUpdate();
          }
        });
  }
}
