package io.edfs.server.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.UUID;

/** Column conversions used by every store: UUIDs as 36-character text, times as epoch millis. */
final class Rows {
  private Rows() {}

  static void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value.toString());
    }
  }

  static UUID uuid(ResultSet rs, String column) throws SQLException {
    String s = rs.getString(column);
    return s == null ? null : UUID.fromString(s);
  }

  static Instant instant(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis);
  }
}
