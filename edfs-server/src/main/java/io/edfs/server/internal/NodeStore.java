package io.edfs.server.internal;

import static io.edfs.server.internal.Rows.setUuid;
import static io.edfs.server.internal.Rows.uuid;

import io.edfs.protocol.Mode;
import io.edfs.protocol.NodeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/** SQL for {@code nodes}: rows, views for one user, ancestry, subtrees. */
final class NodeStore {
  /** A node row. {@code parentId} and {@code encName} are null only for home folders. */
  record NodeRow(
      UUID id,
      UUID parentId,
      UUID ownerId,
      NodeKind kind,
      byte[] encName,
      byte[] wrappedKey,
      UUID currentVersionId,
      long size,
      long createdAt,
      long modifiedAt) {
    boolean isHome() {
      return parentId == null;
    }
  }

  /**
   * A node as one user sees it: the row, its current version (nullable), the user's own grant on
   * this very node (nullable) and whether the node has any grant.
   */
  record NodeView(
      NodeRow node, VersionStore.VersionRow version, Mode ownGrant, boolean hasGrants) {}

  /**
   * A node's ancestry for one user, self first: the ids up to the home folder, the strongest grant
   * the user holds on the node or any ancestor, and on strict ancestors only (nullable).
   */
  record Lineage(List<UUID> ids, Mode grant, Mode strictAncestorGrant, boolean rooted) {}

  /**
   * How deep a tree may grow: creates and moves beyond it are refused, so every node's lineage
   * reaches its home folder within the recursive queries' bound below.
   */
  static final int MAX_TREE_DEPTH = 512;

  /** Stops any recursive query on a corrupt (cyclic) tree; far deeper than a tree may grow. */
  private static final int MAX_DEPTH = 4096;

  private static final String NODE_COLUMNS =
      "n.id, n.parent_id, n.owner_id, n.kind, n.enc_name, n.wrapped_key, n.current_version_id,"
          + " n.size, n.created_at, n.modified_at";

  private static final String VIEW_SELECT =
      "SELECT "
          + NODE_COLUMNS
          + ", v.seq AS v_seq, v.size AS v_size, v.segment_size AS v_segment_size, v.author_id AS"
          + " v_author_id, v.created_at AS v_created_at, v.meta AS v_meta, (SELECT g.mode FROM grants g WHERE"
          + " g.node_id = n.id AND g.grantee_id = ?) AS own_mode, CASE WHEN EXISTS (SELECT 1 FROM"
          + " grants g2 WHERE g2.node_id = n.id) THEN 1 ELSE 0 END AS has_grants FROM nodes n LEFT"
          + " JOIN versions v ON v.id = n.current_version_id";

  /** Ids per statement when deleting a subtree (engines limit the parameters of one). */
  private static final int DELETE_CHUNK = 500;

  /** The subtree rooted at the first parameter, as CTE {@code sub(id)}. */
  private static final String SUBTREE =
      "WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM nodes WHERE id = ?"
          + " UNION ALL SELECT n.id, s.depth + 1 FROM nodes n JOIN sub s ON n.parent_id = s.id"
          + " WHERE s.depth < "
          + MAX_DEPTH
          + ") ";

  void insert(Connection c, NodeRow n) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO nodes (id, parent_id, owner_id, kind, enc_name, wrapped_key,"
                + " current_version_id, size, created_at, modified_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      setUuid(ps, 1, n.id());
      setUuid(ps, 2, n.parentId());
      setUuid(ps, 3, n.ownerId());
      ps.setString(4, n.kind().name());
      ps.setBytes(5, n.encName());
      ps.setBytes(6, n.wrappedKey());
      setUuid(ps, 7, n.currentVersionId());
      ps.setLong(8, n.size());
      ps.setLong(9, n.createdAt());
      ps.setLong(10, n.modifiedAt());
      ps.executeUpdate();
    }
  }

  Optional<NodeRow> node(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + NODE_COLUMNS + " FROM nodes n WHERE n.id = ?")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(nodeRow(rs)) : Optional.empty();
      }
    }
  }

  Optional<NodeView> view(Connection c, UUID id, UUID user) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(VIEW_SELECT + " WHERE n.id = ?")) {
      setUuid(ps, 1, user);
      setUuid(ps, 2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(view(rs)) : Optional.empty();
      }
    }
  }

  Optional<NodeView> childView(Connection c, UUID parentId, byte[] encName, UUID user)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(VIEW_SELECT + " WHERE n.parent_id = ? AND n.enc_name = ?")) {
      setUuid(ps, 1, user);
      setUuid(ps, 2, parentId);
      ps.setBytes(3, encName);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(view(rs)) : Optional.empty();
      }
    }
  }

  List<NodeView> childViews(Connection c, UUID parentId, UUID user) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(VIEW_SELECT + " WHERE n.parent_id = ?")) {
      setUuid(ps, 1, user);
      setUuid(ps, 2, parentId);
      try (ResultSet rs = ps.executeQuery()) {
        List<NodeView> views = new ArrayList<>();
        while (rs.next()) {
          views.add(view(rs));
        }
        return views;
      }
    }
  }

  boolean hasChildren(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM nodes WHERE parent_id = ? LIMIT 1")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** One recursive query: the node's ancestors and the user's grants along the way. */
  Lineage lineage(Connection c, UUID id, UUID user) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "WITH RECURSIVE anc(id, parent_id, depth) AS ("
                + " SELECT id, parent_id, 0 FROM nodes WHERE id = ?"
                + " UNION ALL SELECT n.id, n.parent_id, a.depth + 1"
                + " FROM nodes n JOIN anc a ON n.id = a.parent_id WHERE a.depth < "
                + MAX_DEPTH
                + ")"
                + " SELECT a.id, a.parent_id, a.depth, g.mode FROM anc a"
                + " LEFT JOIN grants g ON g.node_id = a.id AND g.grantee_id = ?"
                + " ORDER BY a.depth")) {
      setUuid(ps, 1, id);
      setUuid(ps, 2, user);
      List<UUID> ids = new ArrayList<>();
      Mode grant = null;
      Mode strict = null;
      boolean rooted = false;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(uuid(rs, "id"));
          rooted = rs.getString("parent_id") == null;
          String m = rs.getString("mode");
          if (m != null) {
            Mode mode = Mode.valueOf(m);
            grant = stronger(grant, mode);
            if (rs.getInt("depth") > 0) {
              strict = stronger(strict, mode);
            }
          }
        }
      }
      return new Lineage(List.copyOf(ids), grant, strict, rooted);
    }
  }

  static Mode stronger(Mode a, Mode b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a == Mode.W || b == Mode.W ? Mode.W : Mode.R;
  }

  /** How many levels the subtree rooted at {@code id} has below it (0 for a leaf). */
  int subtreeHeight(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SUBTREE + "SELECT MAX(depth) FROM sub")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  void move(Connection c, UUID id, UUID parentId, byte[] encName, byte[] wrappedKey, long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE nodes SET parent_id = ?, enc_name = ?, wrapped_key = ?, modified_at = ?"
                + " WHERE id = ?")) {
      setUuid(ps, 1, parentId);
      ps.setBytes(2, encName);
      ps.setBytes(3, wrappedKey);
      ps.setLong(4, now);
      setUuid(ps, 5, id);
      ps.executeUpdate();
    }
  }

  void setCurrentVersion(Connection c, UUID id, UUID versionId, long size, long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE nodes SET current_version_id = ?, size = ?, modified_at = ? WHERE id = ?")) {
      setUuid(ps, 1, versionId);
      ps.setLong(2, size);
      ps.setLong(3, now);
      setUuid(ps, 4, id);
      ps.executeUpdate();
    }
  }

  /**
   * How many times the versions of the subtree rooted at {@code id} list each block, by hash: the
   * refs its deletion drops (see {@link VersionStore#addRefs}).
   */
  SortedMap<String, Long> subtreeBlockUses(Connection c, UUID id) throws SQLException {
    SortedMap<String, Long> uses = new TreeMap<>();
    try (PreparedStatement refs =
        c.prepareStatement(
            SUBTREE
                + "SELECT vb.block_hash, COUNT(*) AS uses FROM sub"
                + " JOIN versions v ON v.node_id = sub.id"
                + " JOIN version_blocks vb ON vb.version_id = v.id"
                + " GROUP BY vb.block_hash")) {
      setUuid(refs, 1, id);
      try (ResultSet rs = refs.executeQuery()) {
        while (rs.next()) {
          uses.put(rs.getString("block_hash"), rs.getLong("uses"));
        }
      }
    }
    return uses;
  }

  /**
   * Deletes the subtree rooted at {@code id}: its version_blocks, versions, grants and nodes. The
   * caller has dropped the refs its versions held ({@link #subtreeBlockUses}) first, in the same
   * transaction. Block files stay: unreferenced blocks are the garbage collector's job, after a
   * grace period. Returns the bytes of the deleted versions.
   */
  long deleteSubtree(Connection c, UUID id) throws SQLException {
    long bytes;
    try (PreparedStatement ps =
        c.prepareStatement(
            SUBTREE
                + "SELECT COALESCE(SUM(v.size), 0) FROM sub JOIN versions v ON v.node_id ="
                + " sub.id")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        bytes = rs.getLong(1);
      }
    }
    // Deepest level first, so no statement removes a folder before its entries: engines check
    // the parent_id foreign key per row (InnoDB) or per statement (SQLite, PostgreSQL).
    List<List<UUID>> levels = subtreeLevels(c, id);
    for (int depth = levels.size() - 1; depth >= 0; depth--) {
      List<UUID> level = levels.get(depth);
      for (int from = 0; from < level.size(); from += DELETE_CHUNK) {
        List<UUID> chunk = level.subList(from, Math.min(level.size(), from + DELETE_CHUNK));
        String in = "(" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
        update(
            c,
            "DELETE FROM version_blocks WHERE version_id IN"
                + " (SELECT id FROM versions WHERE node_id IN "
                + in
                + ")",
            chunk);
        update(c, "DELETE FROM versions WHERE node_id IN " + in, chunk);
        update(c, "DELETE FROM grants WHERE node_id IN " + in, chunk);
        update(c, "DELETE FROM nodes WHERE id IN " + in, chunk);
      }
    }
    return bytes;
  }

  /** The ids of the subtree rooted at {@code id}, by depth (index 0 holds {@code id}). */
  private static List<List<UUID>> subtreeLevels(Connection c, UUID id) throws SQLException {
    List<List<UUID>> levels = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(SUBTREE + "SELECT id, depth FROM sub")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int depth = rs.getInt("depth");
          while (levels.size() <= depth) {
            levels.add(new ArrayList<>());
          }
          levels.get(depth).add(uuid(rs, "id"));
        }
      }
    }
    return levels;
  }

  private static void update(Connection c, String sql, List<UUID> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < ids.size(); i++) {
        setUuid(ps, i + 1, ids.get(i));
      }
      ps.executeUpdate();
    }
  }

  private static NodeRow nodeRow(ResultSet rs) throws SQLException {
    return new NodeRow(
        uuid(rs, "id"),
        uuid(rs, "parent_id"),
        uuid(rs, "owner_id"),
        NodeKind.valueOf(rs.getString("kind")),
        rs.getBytes("enc_name"),
        rs.getBytes("wrapped_key"),
        uuid(rs, "current_version_id"),
        rs.getLong("size"),
        rs.getLong("created_at"),
        rs.getLong("modified_at"));
  }

  private static NodeView view(ResultSet rs) throws SQLException {
    NodeRow node = nodeRow(rs);
    VersionStore.VersionRow version = null;
    if (node.currentVersionId() != null) {
      long seq = rs.getLong("v_seq");
      if (!rs.wasNull()) {
        version =
            new VersionStore.VersionRow(
                node.currentVersionId(),
                node.id(),
                seq,
                rs.getLong("v_size"),
                rs.getInt("v_segment_size"),
                uuid(rs, "v_author_id"),
                rs.getLong("v_created_at"),
                rs.getBytes("v_meta"));
      }
    }
    String own = rs.getString("own_mode");
    return new NodeView(
        node, version, own == null ? null : Mode.valueOf(own), rs.getInt("has_grants") != 0);
  }
}
