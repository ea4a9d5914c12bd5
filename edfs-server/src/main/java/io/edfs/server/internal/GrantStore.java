package io.edfs.server.internal;

import static io.edfs.server.internal.Rows.setUuid;
import static io.edfs.server.internal.Rows.uuid;

import io.edfs.protocol.GrantInfo;
import io.edfs.protocol.Mode;
import io.edfs.protocol.NodeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code grants}. */
final class GrantStore {
  private static final String INFO_SELECT =
      "SELECT g.node_id, n.kind, n.owner_id, o.username AS owner_name, g.grantee_id,"
          + " u.username AS grantee_name, g.mode, g.sealed_key, g.created_at"
          + " FROM grants g JOIN nodes n ON n.id = g.node_id"
          + " JOIN users o ON o.id = n.owner_id JOIN users u ON u.id = g.grantee_id";

  private final Dialect dialect;

  GrantStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Creates the grant or replaces its mode and sealed key. */
  void upsert(
      Connection c,
      UUID nodeId,
      UUID granteeId,
      Mode mode,
      byte[] sealedKey,
      UUID grantedBy,
      long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            dialect.upsert(
                "grants",
                List.of("node_id", "grantee_id", "mode", "sealed_key", "granted_by", "created_at"),
                List.of("node_id", "grantee_id"),
                List.of("mode", "sealed_key")))) {
      setUuid(ps, 1, nodeId);
      setUuid(ps, 2, granteeId);
      ps.setString(3, mode.name());
      ps.setBytes(4, sealedKey);
      setUuid(ps, 5, grantedBy);
      ps.setLong(6, now);
      ps.executeUpdate();
    }
  }

  /** Replaces the sealed key of an existing grant. */
  void reseal(Connection c, UUID nodeId, UUID granteeId, byte[] sealedKey) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE grants SET sealed_key = ? WHERE node_id = ? AND grantee_id = ?")) {
      ps.setBytes(1, sealedKey);
      setUuid(ps, 2, nodeId);
      setUuid(ps, 3, granteeId);
      ps.executeUpdate();
    }
  }

  void delete(Connection c, UUID nodeId, UUID granteeId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM grants WHERE node_id = ? AND grantee_id = ?")) {
      setUuid(ps, 1, nodeId);
      setUuid(ps, 2, granteeId);
      ps.executeUpdate();
    }
  }

  /** The grantees holding a grant on the node. */
  List<UUID> grantees(Connection c, UUID nodeId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT grantee_id FROM grants WHERE node_id = ?")) {
      setUuid(ps, 1, nodeId);
      try (ResultSet rs = ps.executeQuery()) {
        List<UUID> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(uuid(rs, "grantee_id"));
        }
        return ids;
      }
    }
  }

  Optional<GrantInfo> info(Connection c, UUID nodeId, UUID granteeId) throws SQLException {
    List<GrantInfo> list = infos(c, " WHERE g.node_id = ? AND g.grantee_id = ?", nodeId, granteeId);
    return list.stream().findFirst();
  }

  List<GrantInfo> ofNode(Connection c, UUID nodeId) throws SQLException {
    return infos(c, " WHERE g.node_id = ? ORDER BY g.created_at", nodeId);
  }

  /** Grants on nodes {@code owner} owns. */
  List<GrantInfo> given(Connection c, UUID owner) throws SQLException {
    // granted_by is indexed and always the owner: no scan over all of the owner's nodes
    return infos(
        c, " WHERE g.granted_by = ? AND n.owner_id = ? ORDER BY g.created_at", owner, owner);
  }

  /** Grants held by {@code grantee}. */
  List<GrantInfo> received(Connection c, UUID grantee) throws SQLException {
    return infos(c, " WHERE g.grantee_id = ? ORDER BY g.created_at", grantee);
  }

  private static List<GrantInfo> infos(Connection c, String where, UUID... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INFO_SELECT + where)) {
      for (int i = 0; i < params.length; i++) {
        setUuid(ps, i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<GrantInfo> list = new ArrayList<>();
        while (rs.next()) {
          list.add(
              new GrantInfo(
                  uuid(rs, "node_id"),
                  NodeKind.valueOf(rs.getString("kind")),
                  uuid(rs, "owner_id"),
                  rs.getString("owner_name"),
                  uuid(rs, "grantee_id"),
                  rs.getString("grantee_name"),
                  Mode.valueOf(rs.getString("mode")),
                  rs.getBytes("sealed_key"),
                  Rows.instant(rs.getLong("created_at"))));
        }
        return list;
      }
    }
  }
}
