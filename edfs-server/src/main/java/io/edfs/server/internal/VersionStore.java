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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/** SQL for {@code versions}, {@code version_blocks} and {@code blocks}. */
final class VersionStore {
  /** A version row; {@code meta} is the client's encrypted metadata (nullable). */
  record VersionRow(
      UUID id, UUID nodeId, long seq, long size, int segmentSize, UUID authorId, long createdAt, byte[] meta) {}

  /** Hashes per {@code IN (...)} query: well under every engine's parameter limit. */
  private static final int IN_CHUNK = 500;

  private static final String COLUMNS =
      "id, node_id, seq, size, segment_size, author_id, created_at, meta";

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

  /**
   * Inserts the version and its block list. The caller has locked the blocks' rows in this
   * transaction, found them live ({@link #lockBlocks}) and added the refs ({@link #addRefs}),
   * together with those of the versions the same commit prunes.
   */
  void insert(Connection c, VersionRow v, List<BlockRef> blocks) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO versions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      setUuid(ps, 1, v.id());
      setUuid(ps, 2, v.nodeId());
      ps.setLong(3, v.seq());
      ps.setLong(4, v.size());
      ps.setInt(5, v.segmentSize());
      setUuid(ps, 6, v.authorId());
      ps.setLong(7, v.createdAt());
      ps.setBytes(8, v.meta());
      ps.executeUpdate();
    }
    if (blocks.isEmpty()) {
      return;
    }
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
   * version_blocks} too, hence refs are changed before those rows are written). A block whose refs
   * fall to 0 starts its grace period (see {@link #insertBlockIfAbsent}). Doomed rows are never
   * changed; a caller adding refs has locked the rows and found them live ({@link #lockBlocks}).
   *
   * @throws IllegalStateException if a block has no live row or would fall below 0 refs (the
   *     count was already wrong): the transaction fails rather than doom a block ({@value
   *     #DOOMED}) that skipped its grace period, and {@code edfs admin fsck --repair} recounts it
   */
  void addRefs(Connection c, SortedMap<String, Long> uses, int sign) throws SQLException {
    if (uses.isEmpty()) {
      return;
    }
    // created_at before refs: MySQL assigns left to right and lets later assignments see the new
    // values; PostgreSQL and SQLite always read the old ones. This order reads the old refs on all.
    // One statement per block, not a batch: a batch's counts may be "no info" (MariaDB), and a
    // block the guard left alone must be noticed.
    try (PreparedStatement ref =
        c.prepareStatement(
            "UPDATE blocks SET created_at = CASE WHEN refs + ? = 0 THEN "
                + dialect.nowMillis()
                + " ELSE created_at END, refs = refs + ? WHERE hash = ? AND refs >= 0"
                + " AND refs + ? >= 0")) {
      for (Map.Entry<String, Long> use : uses.entrySet()) {
        long delta = sign * use.getValue();
        if (delta == 0) {
          continue;
        }
        ref.setLong(1, delta);
        ref.setLong(2, delta);
        ref.setString(3, use.getKey());
        ref.setLong(4, delta);
        if (ref.executeUpdate() != 1) {
          throw new IllegalStateException(
              "refs of block "
                  + use.getKey()
                  + " cannot change by "
                  + delta
                  + ": it has no live row, or fewer refs than versions being dropped use it"
                  + " (a wrong count; edfs admin fsck --repair recounts it)");
        }
      }
    }
  }

  /** How often version {@code versionId} lists each of its blocks, in hash order. */
  SortedMap<String, Long> uses(Connection c, UUID versionId) throws SQLException {
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
    return uses;
  }

  /**
   * Deletes a version and its block list. The caller has dropped the refs of its {@link #uses}
   * ({@link #addRefs}), together with those of the rest of its transaction.
   */
  void delete(Connection c, UUID versionId) throws SQLException {
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

  /**
   * A {@code blocks} row. {@code createdAt} is when its grace period started (see {@link
   * #insertBlockIfAbsent}); {@code refs} is {@value #DOOMED} once the garbage collector has doomed
   * it.
   */
  record BlockRow(String hash, long length, long refs, long createdAt) {
    /** Marked for deletion: to be treated as absent, whatever the store holds. */
    boolean doomed() {
      return refs == DOOMED;
    }
  }

  /**
   * The refs of a doomed block: one the garbage collector is deleting. Such a row only ever goes
   * away (the store's object first, then the row); nothing counts on it again.
   */
  static final long DOOMED = -1;

  private static final String BLOCK_COLUMNS = "hash, length, refs, created_at";

  /** Block {@code hash}'s row, locked against other writers when {@code lock}. */
  Optional<BlockRow> blockRow(Connection c, String hash, boolean lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + BLOCK_COLUMNS
                + " FROM blocks WHERE hash = ?"
                + (lock ? dialect.lockRows() : ""))) {
      ps.setString(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(blockRow(rs)) : Optional.empty();
      }
    }
  }

  /**
   * The rows of {@code hashes} (those that have one), locked in hash order against other writers
   * until the transaction ends, so that no garbage collector can doom them meanwhile.
   */
  Map<String, BlockRow> lockBlocks(Connection c, Collection<String> hashes) throws SQLException {
    return blockRows(c, hashes, " ORDER BY hash" + dialect.lockRows());
  }

  /** The rows of those of {@code hashes} that have one, doomed or not. */
  Map<String, BlockRow> blockRows(Connection c, Collection<String> hashes) throws SQLException {
    return blockRows(c, hashes, "");
  }

  /** The rows of those of {@code hashes} that have one and are not doomed. */
  Map<String, BlockRow> liveBlocks(Connection c, Collection<String> hashes) throws SQLException {
    Map<String, BlockRow> rows = blockRows(c, hashes, "");
    rows.values().removeIf(BlockRow::doomed);
    return rows;
  }

  private Map<String, BlockRow> blockRows(Connection c, Collection<String> hashes, String suffix)
      throws SQLException {
    Map<String, BlockRow> rows = new HashMap<>();
    List<String> list = new ArrayList<>(new TreeSet<>(hashes)); // chunks lock in hash order too
    for (int from = 0; from < list.size(); from += IN_CHUNK) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + IN_CHUNK));
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT " + BLOCK_COLUMNS + " FROM blocks WHERE hash IN (" + marks(chunk) + ")" + suffix)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            BlockRow row = blockRow(rs);
            rows.put(row.hash(), row);
          }
        }
      }
    }
    return rows;
  }

  /**
   * Records a stored block with refs 0, unless it has a row (doomed or not), which stays as it is.
   * {@code created_at} is the start of a block's grace period, by the database's clock: set here,
   * again whenever an upload finds the block unreferenced ({@link #touch}), and when its last ref
   * is dropped ({@link #addRefs}). The garbage collector removes a block only once it has been
   * unreferenced for the whole grace period since then. Returns the time an inserted row got.
   */
  long insertBlockIfAbsent(Connection c, String hash, long length) throws SQLException {
    long now = now(c);
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
    return now;
  }

  /** Starts the grace period again of those of {@code hashes} that are unreferenced (refs 0). */
  void touch(Connection c, Collection<String> hashes) throws SQLException {
    List<String> list = new ArrayList<>(new TreeSet<>(hashes));
    for (int from = 0; from < list.size(); from += IN_CHUNK) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + IN_CHUNK));
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE blocks SET created_at = "
                  + dialect.nowMillis()
                  + " WHERE refs = 0 AND hash IN ("
                  + marks(chunk)
                  + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        ps.executeUpdate();
      }
    }
  }

  /**
   * Up to {@code limit} unreferenced blocks whose grace period of {@code graceMillis} is over by the
   * database's clock, oldest first.
   */
  List<String> unreferencedBefore(Connection c, long graceMillis, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT hash FROM blocks WHERE refs = 0 AND created_at < "
                + dialect.nowMillis()
                + " - ? ORDER BY created_at LIMIT ?")) {
      ps.setLong(1, graceMillis);
      ps.setInt(2, limit);
      return hashes(ps);
    }
  }

  /**
   * Dooms block {@code hash} (refs {@value #DOOMED}) if it is still unreferenced and its grace
   * period of {@code graceMillis} is over; returns whether it did. From then on nothing trusts the
   * block: uploads, commits and the missing-blocks question treat it as absent.
   */
  boolean doom(Connection c, String hash, long graceMillis) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE blocks SET refs = "
                + DOOMED
                + " WHERE hash = ? AND refs = 0 AND created_at < "
                + dialect.nowMillis()
                + " - ?")) {
      ps.setString(1, hash);
      ps.setLong(2, graceMillis);
      return ps.executeUpdate() == 1;
    }
  }

  /** Up to {@code limit} doomed blocks, in hash order. */
  List<String> doomed(Connection c, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT hash FROM blocks WHERE refs = " + DOOMED + " ORDER BY hash LIMIT ?")) {
      ps.setInt(1, limit);
      return hashes(ps);
    }
  }

  /** Which of {@code hashes} have a row, doomed or not. */
  Set<String> recorded(Connection c, Collection<String> hashes) throws SQLException {
    return new HashSet<>(blockRows(c, hashes, "").keySet());
  }

  void deleteBlockRow(Connection c, String hash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM blocks WHERE hash = ?")) {
      ps.setString(1, hash);
      ps.executeUpdate();
    }
  }

  /** The database's clock, in epoch milliseconds. */
  long now(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + dialect.nowMillis());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> hashes(PreparedStatement ps) throws SQLException {
    List<String> hashes = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        hashes.add(rs.getString(1));
      }
    }
    return hashes;
  }

  private static String marks(List<String> chunk) {
    return String.join(", ", Collections.nCopies(chunk.size(), "?"));
  }

  private static BlockRow blockRow(ResultSet rs) throws SQLException {
    return new BlockRow(
        rs.getString("hash"), rs.getLong("length"), rs.getLong("refs"), rs.getLong("created_at"));
  }

  private static VersionRow versionRow(ResultSet rs) throws SQLException {
    return new VersionRow(
        uuid(rs, "id"),
        uuid(rs, "node_id"),
        rs.getLong("seq"),
        rs.getLong("size"),
        rs.getInt("segment_size"),
        uuid(rs, "author_id"),
        rs.getLong("created_at"),
        rs.getBytes("meta"));
  }
}
