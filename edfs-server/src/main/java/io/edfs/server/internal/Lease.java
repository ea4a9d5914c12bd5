package io.edfs.server.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A named lease in table {@code leases}: at most one holder at a time, until an expiry on the
 * database's clock. Taking and renewing are one conditional {@code UPDATE} (the row's lock
 * serialises them), so two holders can never both succeed. Thread-safe.
 */
final class Lease {
  private final Database db;
  private final String name;
  private final String holder;

  /**
   * @param holder who asks, unique per server process (at most 128 characters)
   */
  Lease(Database db, String name, String holder) {
    if (holder.isEmpty() || holder.length() > 128) {
      throw new IllegalArgumentException("a lease holder has 1-128 characters, got " + holder.length());
    }
    this.db = db;
    this.name = name;
    this.holder = holder;
  }

  String holder() {
    return holder;
  }

  /**
   * Takes the lease if it is free or expired, or renews it if this holder has it, until {@code
   * ttl} from now by the database's clock. Returns whether this holder has it now.
   */
  boolean acquire(Duration ttl) {
    return db.write(
        c -> {
          if (take(c, ttl)) {
            return true;
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  db.dialect()
                      .upsert(
                          "leases",
                          List.of("name", "holder", "expires_at"),
                          List.of("name"),
                          List.of()))) {
            ps.setString(1, name);
            ps.setString(2, "");
            ps.setLong(3, 0);
            ps.executeUpdate();
          }
          return take(c, ttl);
        });
  }

  private boolean take(Connection c, Duration ttl) throws SQLException {
    String now = db.dialect().nowMillis();
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE leases SET holder = ?, expires_at = "
                + now
                + " + ? WHERE name = ? AND (holder = ? OR expires_at < "
                + now
                + ")")) {
      ps.setString(1, holder);
      ps.setLong(2, ttl.toMillis());
      ps.setString(3, name);
      ps.setString(4, holder);
      return ps.executeUpdate() == 1;
    }
  }

  /** Gives the lease up if this holder has it, so that another can take it at once. */
  void release() {
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?")) {
            ps.setString(1, name);
            ps.setString(2, holder);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Who holds the lease now, if anyone (an expired lease has no holder). */
  Optional<String> currentHolder() {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT holder FROM leases WHERE name = ? AND expires_at >= "
                      + db.dialect().nowMillis())) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }
}
