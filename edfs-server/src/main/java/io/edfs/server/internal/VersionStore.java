package io.edfs.server.internal;

import static io.edfs.server.internal.Rows.setUuid;
import static io.edfs.server.internal.Rows.uuid;

import io.edfs.protocol.BlockRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/** SQL for {@code versions}, {@code version_blocks} and {@code blocks}. */
final class VersionStore {
  /** A version row. */
  record VersionRow(
      UUID id, UUID nodeId, long seq, long size, int segmentSize, UUID authorId, long createdAt) {}

  /** Hashes per {@code IN (...)} query: well under every engine's parameter limit. */
  private static final int IN_CHUNK = 500;

  private static final String COLUMNS =
      "id, node_id, seq, size, segment_size, author_id, created_at";

  private final Dialect dialect;

  VersionStore(Dialect dialect) {
    this.dialect = dialect;
  }

  Optional<VersionRow> version(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM versions WHERE id = ?")) {
      setUuid(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(versionRow(rs)) : Optional.empty();
      }
    }
  }

  List<BlockRef> blocks(Connection c, UUID versionId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT block_hash, length FROM version_blocks WHERE version_id = ? ORDER BY idx")) {
      setUuid(ps, 1, versionId);
      try (ResultSet rs = ps.executeQuery()) {
        List<BlockRef> refs = new ArrayList<>();
        while (rs.next()) {
          refs.add(new BlockRef(rs.getString(1), rs.getLong(2)));
        }
        return refs;
      }
    }
  }

  Optional<BlockRef> block(Connection c, UUID versionId, int index) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT block_hash, length FROM version_blocks WHERE version_id = ? AND idx = ?")) {
      setUuid(ps, 1, versionId);
      ps.setInt(2, index);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new BlockRef(rs.getString(1), rs.getLong(2)))
            : Optional.empty();
      }
    }
  }

  long maxSeq(Connection c, UUID nodeId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM versions WHERE node_id = ?")) {
      setUuid(ps, 1, nodeId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The node's versions except the newest {@code keep}, oldest first. */
  List<VersionRow> olderThanNewest(Connection c, UUID nodeId, int keep) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM versions WHERE node_id = ? ORDER BY seq DESC")) {
      setUuid(ps, 1, nodeId);
      List<VersionRow> all = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          all.add(versionRow(rs));
        }
      }
      List<VersionRow> older = new ArrayList<>(all.subList(Math.min(keep, all.size()), all.size()));
      Collections.reverse(older);
      return older;
    }
  }

  /** Inserts the version and its block list, adding one ref per listed block. */
  void insert(Connection c, VersionRow v, List<BlockRef> blocks) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO versions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      setUuid(ps, 1, v.id());
      setUuid(ps, 2, v.nodeId());
      ps.setLong(3, v.seq());
      ps.setLong(4, v.size());
      ps.setInt(5, v.segmentSize());
      setUuid(ps, 6, v.authorId());
      ps.setLong(7, v.createdAt());
      ps.executeUpdate();
    }
    if (blocks.isEmpty()) {
      return;
    }
    SortedMap<String, Long> uses = new TreeMap<>();
    for (BlockRef b : blocks) {
      uses.merge(b.hash(), 1L, Long::sum);
    }
    // refs first: the exclusive row locks before the foreign-key checks' shared ones
    addRefs(c, uses, 1);
    try (PreparedStatement vb =
        c.prepareStatement(
            "INSERT INTO version_blocks (version_id, idx, block_hash, length)"
                + " VALUES (?, ?, ?, ?)")) {
      for (int i = 0; i < blocks.size(); i++) {
        setUuid(vb, 1, v.id());
        vb.setInt(2, i);
        vb.setString(3, blocks.get(i).hash());
        vb.setLong(4, blocks.get(i).length());
        vb.addBatch();
      }
      vb.executeBatch();
    }
  }

  /**
   * Adds {@code sign} × uses to the refs of each block, in hash order. Every transaction that
   * changes refs goes through here, so they lock {@code blocks} rows in one order and cannot
   * deadlock on them (InnoDB takes shared locks for the foreign-key checks of {@code
   * version_blocks} too, hence refs are changed before those rows are written).
   */
  static void addRefs(Connection c, SortedMap<String, Long> uses, int sign) throws SQLException {
    if (uses.isEmpty()) {
      return;
    }
    try (PreparedStatement ref =
        c.prepareStatement("UPDATE blocks SET refs = refs + ? WHERE hash = ?")) {
      for (Map.Entry<String, Long> use : uses.entrySet()) {
        ref.setLong(1, sign * use.getValue());
        ref.setString(2, use.getKey());
        ref.addBatch();
      }
      ref.executeBatch();
    }
  }

  /** Deletes a version and its block list, dropping one ref per listed block. */
  void delete(Connection c, UUID versionId) throws SQLException {
    SortedMap<String, Long> uses = new TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT block_hash, COUNT(*) FROM version_blocks WHERE version_id = ?"
                + " GROUP BY block_hash")) {
      setUuid(ps, 1, versionId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          uses.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    addRefs(c, uses, -1);
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM version_blocks WHERE version_id = ?")) {
      setUuid(ps, 1, versionId);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM versions WHERE id = ?")) {
      setUuid(ps, 1, versionId);
      ps.executeUpdate();
    }
  }

  OptionalLong blockLength(Connection c, String hash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT length FROM blocks WHERE hash = ?")) {
      ps.setString(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  /** Records a stored block; keeps an existing row (and its refs) as it is. */
  void insertBlock(Connection c, String hash, long length, long now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            dialect.upsert(
                "blocks",
                List.of("hash", "length", "refs", "created_at"),
                List.of("hash"),
                List.of()))) {
      ps.setString(1, hash);
      ps.setLong(2, length);
      ps.setLong(3, 0);
      ps.setLong(4, now);
      ps.executeUpdate();
    }
  }

  /** Which of {@code hashes} have a blocks row. */
  Set<String> present(Connection c, Collection<String> hashes) throws SQLException {
    Set<String> present = new HashSet<>();
    List<String> list = List.copyOf(hashes);
    for (int from = 0; from < list.size(); from += IN_CHUNK) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + IN_CHUNK));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement ps =
          c.prepareStatement("SELECT hash FROM blocks WHERE hash IN (" + marks + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            present.add(rs.getString(1));
          }
        }
      }
    }
    return present;
  }

  private static VersionRow versionRow(ResultSet rs) throws SQLException {
    return new VersionRow(
        uuid(rs, "id"),
        uuid(rs, "node_id"),
        rs.getLong("seq"),
        rs.getLong("size"),
        rs.getInt("segment_size"),
        uuid(rs, "author_id"),
        rs.getLong("created_at"));
  }
}
