package io.edfs.server.internal;

import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * An installation on disk, as a server leaves it: a data folder with its secret, a SQLite database
 * filled by {@link SampleMetadata} and the blocks it refers to in the data folder's block store.
 * Consistent: fsck finds nothing.
 */
final class SampleInstallation {
  final ServerConfig config;
  final SampleMetadata sample;
  final DiskBlockStore store;

  SampleInstallation(Path dataDir, long seed) throws IOException {
    this.config = ServerConfig.defaults(dataDir);
    PrivateFiles.createPrivateDirectory(dataDir);
    ServerSecret.loadOrCreate(dataDir.resolve(ServerSecret.FILE_NAME), new SecureRandom());
    this.store = new DiskBlockStore(dataDir.resolve("blocks"));
    try (Database db = MetadataDump.open(config, true)) {
      this.sample = new SampleMetadata(seed).withBlocks(store).fill(db, 3, 20);
    }
  }

  /** Runs one SQL statement with text parameters on the installation's database. */
  void sql(String statement, Object... params) {
    sql(config, statement, params);
  }

  /** Runs one SQL statement with text parameters on {@code config}'s database. */
  static void sql(ServerConfig config, String statement, Object... params) {
    try (Database db = MetadataDump.open(config, false)) {
      db.write(
          c -> {
            run(c, statement, params);
            return null;
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first column of every row of a query, as text. */
  List<String> column(String query) {
    return column(config, query);
  }

  /** The first column of every row of a query on {@code config}'s database, as text. */
  static List<String> column(ServerConfig config, String query) {
    try (Database db = MetadataDump.open(config, false)) {
      return db.read(
          c -> {
            List<String> values = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(query);
                ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                values.add(rs.getString(1));
              }
            }
            return values;
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Blocks that versions list, in hash order. */
  List<String> referenced() {
    return column("SELECT DISTINCT block_hash FROM version_blocks ORDER BY block_hash");
  }

  /** Stores a block of {@code content} that no version lists (an upload not committed yet). */
  String addUnreferenced(byte[] content) throws IOException {
    String hash = BlockStoreContract.sha256Unchecked(content);
    store.put(hash, content.length, new java.io.ByteArrayInputStream(content));
    sql("INSERT INTO blocks (hash, length, refs, created_at) VALUES (?, ?, 0, 1)", hash,
        (long) content.length);
    return hash;
  }

  /** Where block {@code hash} is stored. */
  Path file(String hash) {
    return store.path(hash);
  }

  /** Stores a block of {@code content} and lists it as a new version of a sample file. */
  String addVersion(byte[] content) throws IOException {
    try (Database db = MetadataDump.open(config, false)) {
      return addVersion(db, content);
    }
  }

  /**
   * As a commit does: stores the block, then in one transaction records it and a new version of
   * the first sample file that lists it, and adds its size to the owner's used bytes.
   */
  String addVersion(Database db, byte[] content) throws IOException {
    String hash = BlockStoreContract.sha256Unchecked(content);
    store.put(hash, content.length, new java.io.ByteArrayInputStream(content));
    String file = sample.files.getFirst().toString();
    long length = content.length;
    db.write(
        c -> {
          String owner;
          long seq;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT n.owner_id, (SELECT MAX(seq) FROM versions WHERE node_id = n.id)"
                      + " FROM nodes n WHERE n.id = ?")) {
            ps.setString(1, file);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              owner = rs.getString(1);
              seq = rs.getLong(2) + 1;
            }
          }
          String version = java.util.UUID.randomUUID().toString();
          run(c, "INSERT INTO blocks (hash, length, refs, created_at) VALUES (?, ?, 1, 1)", hash, length);
          run(c, "INSERT INTO versions (id, node_id, seq, size, segment_size, author_id, created_at)"
              + " VALUES (?, ?, ?, ?, 65536, ?, 1)", version, file, seq, length, owner);
          run(c, "INSERT INTO version_blocks (version_id, idx, block_hash, length) VALUES (?, 0, ?, ?)",
              version, hash, length);
          run(c, "UPDATE users SET used_bytes = used_bytes + ? WHERE id = ?", length, owner);
          return null;
        });
    return hash;
  }

  private static void run(java.sql.Connection c, String statement, Object... params)
      throws java.sql.SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }
}
