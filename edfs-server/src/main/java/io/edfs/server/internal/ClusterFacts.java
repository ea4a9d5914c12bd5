package io.edfs.server.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node of a cluster must agree on, kept in table {@code cluster} and checked when a node
 * starts: which server secret (password pepper) the cluster uses, since a node started with another
 * secret would answer "wrong password" to every user; and which block store it uses, since a node
 * on another store would acknowledge blocks the other nodes cannot read, and two installations
 * sharing one store would collect each other's blocks as orphans.
 */
final class ClusterFacts {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFacts.class);

  static final String SECRET_CHECK = "secret-check";

  /** The installation's random id, which the block store's marker repeats. */
  static final String STORE_ID = "store-id";

  /** Where the marker was first written, for people; present once it was. */
  static final String STORE = "store";

  /** Blocks of a database without an id that are looked up in a marked store. */
  static final int RESTORE_SAMPLE = 32;

  private ClusterFacts() {}

  /**
   * Records this node's secret check on the cluster's first start, or compares it with the
   * recorded one.
   *
   * @throws IllegalStateException if the cluster uses another secret
   */
  static void checkSecret(Database db, ServerSecret secret, Path secretFile) {
    String mine = secret.checkValue();
    String recorded = record(db, SECRET_CHECK, mine);
    if (!recorded.equals(mine)) {
      throw new IllegalStateException(
          "the server secret "
              + secretFile
              + " is not the one this database's other nodes use: every node of a cluster needs"
              + " the same server.secret; copy it from a node that already serves this database"
              + " (a new secret would make every password fail)");
    }
  }

  /**
   * Checks that {@code store} is this installation's block store, by the installation id in table
   * {@code cluster} and the marker {@value BlockStore#MARKER} in the store (on each side of a
   * mirror), and writes them on the first start:
   *
   * <ul>
   *   <li>neither has an id (a new installation, or one from before the marker): a new id, in both;
   *   <li>both, the same id: fine; different ids: refused;
   *   <li>the database has an id but the store has no marker: refused once the marker was
   *       written somewhere (a node started without the cluster's {@code --blocks}), except on a
   *       mirror side whose other side carries the id (a new, empty side);
   *   <li>the store has a marker but the database no id: a database loaded from a dump of this
   *       installation (a restore, or a move to another engine) adopts the store's id; that is the
   *       case when some of its blocks are in the store, or, for a dump without blocks, when the
   *       store holds none. A new, empty database is refused.
   * </ul>
   *
   * @throws IllegalStateException with a one-line reason and what to do, when refused
   * @throws IOException if the store cannot be read or written
   */
  static void checkStore(Database db, BlockStore store, SecureRandom random) throws IOException {
    List<BlockStore> sides =
        store instanceof MirrorBlockStore m ? List.of(m.first(), m.second()) : List.of(store);
    Map<BlockStore, Optional<String>> markers = new LinkedHashMap<>();
    for (BlockStore side : sides) {
      try {
        markers.put(side, side.readMarker());
      } catch (BlockStoreUnavailableException e) {
        if (sides.size() == 1) {
          throw e;
        }
        LOG.warn("{}; its marker is checked at the next start", e.getMessage());
      }
    }
    if (markers.isEmpty()) {
      throw new BlockStoreUnavailableException(
          "neither side of the " + store.describe() + " can be reached", null);
    }
    List<String> found =
        markers.values().stream().flatMap(Optional::stream).distinct().toList();
    if (found.size() > 1) {
      throw new IllegalStateException(
          "the two sides of the "
              + store.describe()
              + " belong to different installations (their "
              + BlockStore.MARKER
              + " markers differ): a mirror's sides are two copies of one installation's store");
    }
    Optional<String> marker = found.stream().findFirst();
    Optional<String> id = fact(db, STORE_ID);
    if (id.isEmpty()) {
      String candidate;
      if (marker.isPresent()) {
        if (!restoredFrom(db, markers.keySet())) {
          throw new IllegalStateException(
              elsewhere(store, marker.get())
                  + " and this database holds none of its blocks: give a new database a new,"
                  + " empty block store; to restore that installation, load its metadata dump"
                  + " first (edfs admin load); to start afresh on this store and let its blocks be"
                  + " removed as unused, delete its "
                  + BlockStore.MARKER);
        }
        candidate = marker.get();
        LOG.info(
            "this database has no installation id yet and holds blocks of {}: it takes the store's id {}",
            store.describe(),
            candidate);
      } else {
        if (isEmpty(db) && anyHoldsBlocks(markers.keySet())) {
          // an installation from before markers, reached by a node with a wrong, new database:
          // marking the store for this one would let its collector delete every block there
          throw new IllegalStateException(
              "the "
                  + store.describe()
                  + " holds blocks but no "
                  + BlockStore.MARKER
                  + " marker, and this database is empty: a new installation needs an empty block"
                  + " store; if the blocks belong to an installation of an earlier edfs, start it on"
                  + " its own database first (it then marks the store)");
        }
        candidate = newInstallationId(random);
      }
      id = Optional.of(record(db, STORE_ID, candidate)); // another node may have been first
    }
    String mine = id.get();
    Optional<String> where = fact(db, STORE);
    if (marker.isPresent() && !marker.get().equals(mine)) {
      throw new IllegalStateException(
          elsewhere(store, marker.get())
              + "; this database's installation is "
              + mine
              + where.map(w -> ", whose blocks are in " + w).orElse("")
              + ": start every node with the cluster's --blocks, and give each installation a"
              + " store of its own");
    }
    for (Map.Entry<BlockStore, Optional<String>> side : markers.entrySet()) {
      if (side.getValue().isPresent()) {
        continue;
      }
      if (where.isPresent() && marker.isEmpty()) {
        throw new IllegalStateException(
            side.getKey().describe()
                + " is not this cluster's block store: it has no "
                + BlockStore.MARKER
                + ", and this database's blocks are in "
                + where.get()
                + " (installation "
                + mine
                + "); start every node with the same --blocks (or EDFS_BLOCKS). When moving the"
                + " blocks to a new store, copy "
                + BlockStore.MARKER
                + " with them");
      }
      side.getKey().writeMarker(mine);
      LOG.info("{}: marked as the block store of installation {}", side.getKey().describe(), mine);
    }
    if (where.isEmpty()) {
      String text = store.describe();
      record(db, STORE, text.length() <= 255 ? text : text.substring(0, 255));
    }
  }

  /** The installation id this database holds, if it was started (or restored) since the marker. */
  static Optional<String> installationId(Database db) {
    return fact(db, STORE_ID);
  }

  /** A new random installation id. */
  static String newInstallationId(SecureRandom random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * Makes {@code store} the block store of installation {@code id} after a restore: its marker
   * first, then the id and the store in the (restored) database, replacing whatever was there.
   */
  static void claim(Database db, BlockStore store, String id) throws IOException {
    if (!store.readMarker().equals(Optional.of(id))) {
      store.writeMarker(id);
    }
    String text = store.describe();
    db.write(
        c -> {
          try (PreparedStatement up =
              c.prepareStatement(
                  db.dialect()
                      .upsert("cluster", List.of("name", "value"), List.of("name"), List.of("value")))) {
            up.setString(1, STORE_ID);
            up.setString(2, id);
            up.addBatch();
            up.setString(1, STORE);
            up.setString(2, text.length() <= 255 ? text : text.substring(0, 255));
            up.addBatch();
            up.executeBatch();
          }
          return null;
        });
  }

  private static String elsewhere(BlockStore store, String marker) {
    return store.describe()
        + " belongs to another installation (its "
        + BlockStore.MARKER
        + " names "
        + marker
        + ")";
  }

  /**
   * Whether this database (which has no installation id yet) was loaded from a dump of the
   * installation that owns {@code sides}: some of its blocks are there, or, when it lists none, it
   * holds users and the store holds no blocks either. Block names are hashes of encrypted content,
   * so another installation's database never names blocks of this store.
   */
  private static boolean restoredFrom(Database db, Iterable<BlockStore> sides) throws IOException {
    List<String> sample = new ArrayList<>();
    long users =
        db.read(
            c -> {
              try (PreparedStatement q =
                  c.prepareStatement(
                      "SELECT hash FROM blocks WHERE refs >= 0 ORDER BY hash LIMIT " + RESTORE_SAMPLE);
                  ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                  sample.add(rs.getString(1));
                }
              }
              return count(c, "SELECT COUNT(*) FROM users");
            });
    for (BlockStore side : sides) {
      if (sample.isEmpty()) {
        if (users == 0 || holdsBlocks(side)) {
          return false;
        }
        continue;
      }
      for (String hash : sample) {
        if (side.contains(hash)) {
          return true;
        }
      }
    }
    return sample.isEmpty();
  }

  /** Whether the database holds no users and no blocks: a new installation. */
  private static boolean isEmpty(Database db) {
    long rows =
        db.read(c -> count(c, "SELECT COUNT(*) FROM users") + count(c, "SELECT COUNT(*) FROM blocks"));
    return rows == 0;
  }

  private static boolean anyHoldsBlocks(Iterable<BlockStore> sides) throws IOException {
    for (BlockStore side : sides) {
      if (holdsBlocks(side)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the store lists at least one block (stops at the first). */
  private static boolean holdsBlocks(BlockStore store) throws IOException {
    try {
      store.list(
          b -> {
            throw new Found();
          });
      return false;
    } catch (Found e) {
      return true;
    }
  }

  /** Ends a listing at its first block. */
  private static final class Found extends IOException {
    private static final long serialVersionUID = 1L;

    Found() {
      super("a block");
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(sql);
        ResultSet rs = q.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Optional<String> fact(Database db, String name) {
    return db.read(c -> value(c, name));
  }

  /** Records {@code value} under {@code name} unless a value is there; returns the one there. */
  private static String record(Database db, String name, String value) {
    return db.write(
        c -> {
          try (PreparedStatement ins =
              c.prepareStatement(
                  db.dialect().upsert("cluster", List.of("name", "value"), List.of("name"), List.of()))) {
            ins.setString(1, name);
            ins.setString(2, value);
            ins.executeUpdate();
          }
          return value(c, name).orElseThrow();
        });
  }

  private static Optional<String> value(Connection c, String name) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT value FROM cluster WHERE name = ?")) {
      q.setString(1, name);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }
}
