package io.edfs.server.internal;

import static io.edfs.server.FsckReport.Kind.BAD_CURRENT_VERSION;
import static io.edfs.server.FsckReport.Kind.CORRUPT_BLOCK;
import static io.edfs.server.FsckReport.Kind.LOST_VERSION;
import static io.edfs.server.FsckReport.Kind.MISSING_BLOCK;
import static io.edfs.server.FsckReport.Kind.ORPHAN_BLOCK;
import static io.edfs.server.FsckReport.Kind.UNKNOWN_BLOCK;
import static io.edfs.server.FsckReport.Kind.WRONG_REFS;
import static io.edfs.server.FsckReport.Kind.WRONG_USED_BYTES;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import io.edfs.server.FsckReport;
import io.edfs.server.FsckReport.Finding;
import io.edfs.server.FsckReport.Kind;
import io.edfs.server.RepairSummary;
import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks an installation's metadata against itself and its blocks, and repairs what can be
 * repaired without guessing: the implementation behind {@link io.edfs.server.EdfsAdmin#fsck}.
 *
 * <p>It runs beside live servers. The metadata checks each read one snapshot; the blocks are read
 * page by page in short transactions (a long one would hold SQLite's log and the engines' old row
 * versions), and a block found missing is looked up again before it is reported, since the garbage
 * collector may have removed it meanwhile. Repairs lock what they change as the server does: a
 * block's row before its refs are recounted, a user's tree before their bytes are summed.
 *
 * <p>Findings name blocks by hash, nodes, versions and users by id (and a file's owner by
 * username): never a file name, which is ciphertext anyway, nor content.
 */
public final class Fsck {
  private static final int PAGE = 1000;
  private static final int IN_CHUNK = 500;
  private static final int READ_BUFFER = 256 << 10;

  private final Database db;
  private final BlockStore store;
  private final boolean repair;
  private final UserStore users;
  private final Map<Kind, Long> found = new EnumMap<>(Kind.class);
  private final Map<Kind, Long> repaired = new EnumMap<>(Kind.class);
  private final List<Finding> findings = new ArrayList<>();
  /** Blocks that file versions need and that cannot be read: their versions are lost. */
  private final Set<String> lost = ConcurrentHashMap.newKeySet();

  private final AtomicLong blocksChecked = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();

  private Fsck(Database db, BlockStore store, boolean repair) {
    this.db = db;
    this.store = store;
    this.repair = repair;
    this.users = new UserStore(db.dialect());
  }

  /** Checks the installation {@code config} describes; repairs too if {@code repair}. */
  public static FsckReport fsck(ServerConfig config, boolean repair) throws IOException {
    long start = System.nanoTime();
    try (Database db = MetadataDump.open(config, false);
        BlockStore store = Backups.openStore(config)) {
      Fsck fsck = new Fsck(db, store, repair);
      try {
        fsck.run();
      } catch (Database.StorageException e) {
        throw new IOException("the " + db.dialect().describe() + " failed: " + e.getMessage(), e);
      }
      synchronized (fsck) {
        return new FsckReport(
            store.describe(),
            fsck.blocksChecked.get(),
            fsck.bytesRead.get(),
            fsck.found,
            fsck.repaired,
            fsck.findings,
            Duration.ofNanos(System.nanoTime() - start));
      }
    }
  }

  /**
   * Makes both sides of a mirrored block store whole again (see {@link
   * io.edfs.server.EdfsAdmin#repair}).
   *
   * @throws AdminException if the installation's block store is not a mirror
   */
  public static RepairSummary repairMirror(ServerConfig config, boolean verify) throws IOException {
    long start = System.nanoTime();
    try (BlockStore store = Backups.openStore(config)) {
      if (!(store instanceof MirrorBlockStore mirror)) {
        throw new AdminException(
            Problem.UNSUPPORTED_STORE,
            "edfs admin repair mends a mirrored block store (--blocks mirror:URI,URI); "
                + store.describe()
                + " is not one. To check its blocks, run 'edfs admin fsck'");
      }
      MirrorBlockStore.Repair r = mirror.repair(verify);
      return new RepairSummary(
          mirror.first().describe(),
          mirror.second().describe(),
          r.checked(),
          r.copiedToFirst(),
          r.copiedToSecond(),
          r.corruptReplaced(),
          r.unrepairable(),
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private void run() throws IOException {
    unknownBlocks();
    refs();
    currentVersions();
    usedBytes();
    blockObjects();
    orphans();
    lostVersions();
  }

  private synchronized void report(Kind kind, String subject, String detail, boolean fixed) {
    found.merge(kind, 1L, Long::sum);
    if (fixed) {
      repaired.merge(kind, 1L, Long::sum);
    }
    if (findings.size() < FsckReport.MAX_LISTED) {
      findings.add(new Finding(kind, subject, detail, fixed));
    }
  }

  // ---------------------------------------------------------------- metadata

  /** Every block a version lists has a row, not one being deleted. */
  private void unknownBlocks() {
    record Unknown(String hash, Long refs) {}
    List<Unknown> unknown =
        db.read(
            c ->
                query(
                    c,
                    "SELECT DISTINCT vb.block_hash, b.refs FROM version_blocks vb"
                        + " LEFT JOIN blocks b ON b.hash = vb.block_hash"
                        + " WHERE b.hash IS NULL OR b.refs = " + VersionStore.DOOMED,
                    rs -> new Unknown(rs.getString(1), rs.getObject(2, Long.class))));
    for (Unknown u : unknown) {
      lost.add(u.hash());
      report(
          UNKNOWN_BLOCK,
          u.hash(),
          "block "
              + u.hash()
              + " is listed by file versions but "
              + (u.refs() == null ? "has no blocks row" : "is being deleted (refs " + u.refs() + ")"),
          false);
    }
  }

  /**
   * A block's refs is the number of version entries naming it. A doomed row ({@value
   * VersionStore#DOOMED}) is the garbage collector's and not counted; any other negative value is
   * a wrong count like any other (nothing sets one, but a count already too low once could).
   */
  private void refs() {
    record Refs(String hash, long refs, long uses) {}
    List<Refs> wrong =
        db.read(
            c ->
                query(
                    c,
                    "SELECT b.hash, b.refs, COUNT(vb.block_hash) FROM blocks b"
                        + " LEFT JOIN version_blocks vb ON vb.block_hash = b.hash"
                        + " GROUP BY b.hash, b.refs"
                        + " HAVING b.refs <> "
                        + VersionStore.DOOMED
                        + " AND b.refs <> COUNT(vb.block_hash)",
                    rs -> new Refs(rs.getString(1), rs.getLong(2), rs.getLong(3))));
    for (Refs r : wrong) {
      boolean fixed = repair && recount(r.hash());
      report(
          WRONG_REFS,
          r.hash(),
          "block "
              + r.hash()
              + " has refs "
              + r.refs()
              + " but "
              + r.uses()
              + (r.uses() == 1 ? " version entry" : " version entries"),
          fixed);
    }
  }

  /**
   * Sets a block's refs to its number of version entries. The row is locked first: a commit or a
   * delete changes refs before it writes version entries, so once the lock is held the count
   * cannot move. Returns false if the block is being deleted meanwhile (doomed).
   */
  private boolean recount(String hash) {
    return db.write(
        c -> {
          OptionalLong refs =
              single(c, "SELECT refs FROM blocks WHERE hash = ?" + db.dialect().lockRows(), hash);
          if (refs.isEmpty() || refs.getAsLong() == VersionStore.DOOMED) {
            return false;
          }
          long uses =
              single(c, "SELECT COUNT(*) FROM version_blocks WHERE block_hash = ?", hash)
                  .orElseThrow();
          // a block nothing refers to any more starts its grace period now, as after a delete
          String since = uses == 0 ? db.dialect().nowMillis() : "created_at";
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE blocks SET created_at = " + since + ", refs = ? WHERE hash = ?")) {
            ps.setLong(1, uses);
            ps.setString(2, hash);
            ps.executeUpdate();
          }
          return true;
        });
  }

  /** A node's current version is one of its own versions. */
  private void currentVersions() {
    record Bad(String node, String version, String owner) {}
    List<Bad> bad =
        db.read(
            c ->
                query(
                    c,
                    "SELECT n.id, n.current_version_id, u.username FROM nodes n"
                        + " JOIN users u ON u.id = n.owner_id"
                        + " LEFT JOIN versions v ON v.id = n.current_version_id"
                        + " WHERE n.current_version_id IS NOT NULL"
                        + " AND (v.id IS NULL OR v.node_id <> n.id)",
                    rs -> new Bad(rs.getString(1), rs.getString(2), rs.getString(3))));
    for (Bad b : bad) {
      report(
          BAD_CURRENT_VERSION,
          b.node(),
          "file "
              + b.node()
              + " of "
              + b.owner()
              + ": its current version "
              + b.version()
              + " is not one of its versions; it cannot be read (the owner can restore it from a"
              + " copy, or overwrite it)",
          false);
    }
  }

  /** A user's used_bytes is the sum of the sizes of the versions of their files. */
  private void usedBytes() {
    record Used(String user, String username, long used, long kept) {}
    List<Used> wrong =
        db.read(
            c ->
                query(
                    c,
                    "SELECT id, username, used_bytes, kept FROM (SELECT u.id, u.username,"
                        + " u.used_bytes, (SELECT COALESCE(SUM(v.size), 0) FROM versions v"
                        + " JOIN nodes n ON n.id = v.node_id WHERE n.owner_id = u.id) AS kept"
                        + " FROM users u) t WHERE used_bytes <> kept",
                    rs -> new Used(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4))));
    for (Used u : wrong) {
      boolean fixed = repair && resum(UUID.fromString(u.user()));
      report(
          WRONG_USED_BYTES,
          u.user(),
          "user "
              + u.username()
              + " ("
              + u.user()
              + ") has used_bytes "
              + u.used()
              + " but keeps versions of "
              + u.kept()
              + " bytes",
          fixed);
    }
  }

  /** Sets a user's used_bytes to what they keep, holding their tree's lock as every writer does. */
  private boolean resum(UUID user) {
    return db.write(
        c -> {
          if (!users.lockTrees(c, user, user)) {
            return false;
          }
          long kept =
              single(
                      c,
                      "SELECT COALESCE(SUM(v.size), 0) FROM versions v JOIN nodes n ON n.id ="
                          + " v.node_id WHERE n.owner_id = ?",
                      user.toString())
                  .orElseThrow();
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE users SET used_bytes = ? WHERE id = ?")) {
            ps.setLong(1, kept);
            ps.setString(2, user.toString());
            ps.executeUpdate();
          }
          return true;
        });
  }

  // ---------------------------------------------------------------- blocks

  /** Reads every block that has a row, whole, and checks its length and hash. */
  private void blockObjects() throws IOException {
    record Row(String hash, long length, long refs) {}
    try (Parallel reads = new Parallel(BlockCopier.WIDTH)) {
      db.readPages(
          "SELECT hash, length, refs FROM blocks WHERE hash > ? ORDER BY hash",
          PAGE,
          rs -> new Row(rs.getString(1), rs.getLong(2), rs.getLong(3)),
          Row::hash,
          page -> {
            for (Row r : page) {
              if (r.refs() != VersionStore.DOOMED) {
                reads.submit(() -> checkBlock(r.hash(), r.length()));
              }
            }
          });
      reads.await();
    }
  }

  /**
   * Checks one block: on each side of a mirror (a read through the mirror would quietly fall back
   * to the good copy), else in the store.
   */
  private void checkBlock(String hash, long length) throws IOException {
    List<BlockStore> sides =
        store instanceof MirrorBlockStore mirror
            ? List.of(mirror.first(), mirror.second())
            : List.of(store);
    List<String> problems = new ArrayList<>();
    BlockStore good = null;
    for (BlockStore side : sides) {
      String problem = problem(side, hash, length);
      problems.add(problem);
      if (problem == null && good == null) {
        good = side;
      }
    }
    if (good != null && problems.stream().allMatch(p -> p == null)) {
      return;
    }
    // the garbage collector may have removed an unreferenced block since the page was read
    OptionalLong refs = db.read(c -> single(c, "SELECT refs FROM blocks WHERE hash = ?", hash));
    if (refs.isEmpty() || refs.getAsLong() == VersionStore.DOOMED) {
      return;
    }
    String block = "block " + hash + " (" + length + " bytes) ";
    if (good != null) {
      // a mirror with one good copy: the other side can have it back
      for (int i = 0; i < sides.size(); i++) {
        String problem = problems.get(i);
        if (problem != null) {
          BlockStore side = sides.get(i);
          boolean fixed = repair && copy(good, side, hash, length);
          report(
              problem.equals(MISSING) ? MISSING_BLOCK : CORRUPT_BLOCK,
              hash,
              block
                  + describe(problem, side)
                  + "; "
                  + good.describe()
                  + " has a good copy"
                  + (fixed ? ", now copied over" : ""),
              fixed);
        }
      }
      return;
    }
    long uses =
        db.read(c -> single(c, "SELECT COUNT(*) FROM version_blocks WHERE block_hash = ?", hash))
            .orElseThrow();
    if (uses > 0) {
      lost.add(hash);
    }
    String problem = problems.stream().filter(p -> !p.equals(MISSING)).findFirst().orElse(MISSING);
    // no version needs it: dropping its row lets a later upload of the same block store it anew
    boolean fixed = repair && uses == 0 && dropUnreferenced(hash);
    report(
        problem.equals(MISSING) ? MISSING_BLOCK : CORRUPT_BLOCK,
        hash,
        block
            + describe(problem, store)
            + (uses > 0
                ? " (" + uses + (uses == 1 ? " version entry needs" : " version entries need") + " it)"
                : " (no version needs it" + (fixed ? "; its row was dropped)" : ")")),
        fixed);
  }

  /** What {@link #problem} returns for a block that is not stored. */
  private static final String MISSING = "missing";

  private static String describe(String problem, BlockStore where) {
    return problem.equals(MISSING)
        ? "is missing from " + where.describe()
        : "is corrupt in " + where.describe() + ": " + problem;
  }

  /** Reads a block whole: null if it is intact, {@link #MISSING}, or what is wrong with it. */
  private String problem(BlockStore side, String hash, long length) throws IOException {
    try (InputStream in = side.open(hash, 0)) {
      MessageDigest sha256 = sha256();
      byte[] buf = new byte[READ_BUFFER];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        sha256.update(buf, 0, n);
        total += n;
      }
      bytesRead.addAndGet(total);
      blocksChecked.incrementAndGet();
      String actual = HexFormat.of().formatHex(sha256.digest());
      if (total != length) {
        return "it has " + total + " bytes, its row says " + length;
      }
      return actual.equals(hash) ? null : "its bytes hash to " + actual;
    } catch (NoSuchFileException e) {
      return MISSING;
    } catch (IOException e) {
      if (!side.contains(hash)) {
        return MISSING; // deleted while it was read: the caller asks whether it is still needed
      }
      throw e;
    }
  }

  /** Copies a block from the side that has it intact over the other side's (lost or bad) copy. */
  private static boolean copy(BlockStore from, BlockStore to, String hash, long length)
      throws IOException {
    try (InputStream in = from.open(hash, 0)) {
      to.put(hash, length, in); // checks the hash on the way
      return true;
    } catch (NoSuchFileException e) {
      return false; // the garbage collector removed it meanwhile
    }
  }

  private boolean dropUnreferenced(String hash) {
    return db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM blocks WHERE hash = ? AND refs = 0 AND NOT EXISTS"
                      + " (SELECT 1 FROM version_blocks WHERE block_hash = ?)")) {
            ps.setString(1, hash);
            ps.setString(2, hash);
            return ps.executeUpdate() == 1;
          }
        });
  }

  /** Stored blocks without a row: harmless (no version can name them), but reported. */
  private void orphans() throws IOException {
    List<String> batch = new ArrayList<>(IN_CHUNK);
    store.list(
        b -> {
          batch.add(b.hash());
          if (batch.size() == IN_CHUNK) {
            reportOrphans(batch);
            batch.clear();
          }
        });
    reportOrphans(batch);
  }

  private void reportOrphans(List<String> hashes) {
    if (hashes.isEmpty()) {
      return;
    }
    VersionStore versions = new VersionStore(db.dialect());
    // a block with a doomed row is being deleted, not an orphan
    Set<String> known = db.read(c -> versions.blockRows(c, hashes).keySet());
    for (String h : hashes) {
      if (!known.contains(h)) {
        report(
            ORPHAN_BLOCK,
            h,
            "block " + h + " is stored but has no row (an upload in progress, or left over)",
            false);
      }
    }
  }

  /** Names every file version that needs a lost block, so its owner can restore it. */
  private void lostVersions() {
    record Lost(String node, String version, long seq, boolean current, String owner, String block) {}
    List<String> hashes = new ArrayList<>(lost);
    Collections.sort(hashes);
    for (int from = 0; from < hashes.size(); from += IN_CHUNK) {
      List<String> chunk = hashes.subList(from, Math.min(hashes.size(), from + IN_CHUNK));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      List<Lost> versions =
          db.read(
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "SELECT v.node_id, v.id, v.seq, n.current_version_id, u.username,"
                            + " MIN(vb.block_hash) FROM version_blocks vb"
                            + " JOIN versions v ON v.id = vb.version_id"
                            + " JOIN nodes n ON n.id = v.node_id"
                            + " JOIN users u ON u.id = n.owner_id"
                            + " WHERE vb.block_hash IN ("
                            + marks
                            + ") GROUP BY v.node_id, v.id, v.seq, n.current_version_id, u.username"
                            + " ORDER BY v.node_id, v.seq")) {
                  for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                  }
                  List<Lost> rows = new ArrayList<>();
                  try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                      rows.add(
                          new Lost(
                              rs.getString(1),
                              rs.getString(2),
                              rs.getLong(3),
                              rs.getString(2).equals(rs.getString(4)),
                              rs.getString(5),
                              rs.getString(6)));
                    }
                  }
                  return rows;
                }
              });
      for (Lost l : versions) {
        report(
            LOST_VERSION,
            l.node(),
            "file "
                + l.node()
                + " of "
                + l.owner()
                + ": version "
                + l.version()
                + " (seq "
                + l.seq()
                + (l.current() ? ", the current one" : ", an older one")
                + ") cannot be read: it needs block "
                + l.block()
                + (l.current()
                    ? "; the owner must restore the file from a copy of their own, or overwrite it"
                    : ""),
            false);
      }
    }
  }

  // ---------------------------------------------------------------- SQL helpers

  private static <T> List<T> query(Connection c, String sql, Database.RowReader<T> reader)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(reader.read(rs));
      }
      return rows;
    }
  }

  /** The first column of the first row of a query with one text parameter, if any. */
  private static OptionalLong single(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
