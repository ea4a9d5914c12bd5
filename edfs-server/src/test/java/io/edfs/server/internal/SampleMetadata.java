package io.edfs.server.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Metadata rows written straight into a database, covering every column and every null a real
 * installation has: users, home folders, nested folders, files with several versions spread over
 * shared blocks, and READ and WRITE grants. Deterministic for a seed.
 */
final class SampleMetadata {
  private final Random random;
  final List<UUID> users = new ArrayList<>();
  final List<UUID> folders = new ArrayList<>();
  final List<UUID> files = new ArrayList<>();
  final List<String> blocks = new ArrayList<>();
  final Map<String, Long> lengths = new HashMap<>();
  private BlockStore store;

  SampleMetadata(long seed) {
    this.random = new Random(seed);
  }

  /**
   * Makes {@link #fill} store each block in {@code store} (random content up to 64 KiB, named by
   * its SHA-256) and list it in versions with its true length, and keep every user's used bytes
   * exact: an installation that passes fsck.
   */
  SampleMetadata withBlocks(BlockStore store) {
    this.store = store;
    return this;
  }

  /** {@code userCount} users, each with {@code foldersEach} folders nested at random. */
  SampleMetadata fill(Database db, int userCount, int foldersEach) {
    db.write(
        c -> {
          for (int b = 0; b < 20; b++) {
            String hash;
            long length;
            if (store == null) {
              hash = HexFormat.of().formatHex(bytes(32));
              length = random.nextInt(1 << 22);
            } else {
              byte[] content = bytes(1 + random.nextInt(64 << 10));
              hash = sha256(content);
              length = content.length;
              try {
                store.put(hash, length, new ByteArrayInputStream(content));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
            blocks.add(hash);
            lengths.put(hash, length);
            exec(c, "INSERT INTO blocks (hash, length, refs, created_at) VALUES (?, ?, 0, ?)",
                hash, length, now());
          }
          for (int u = 0; u < userCount; u++) {
            addUser(c, u);
          }
          for (UUID owner : users) {
            UUID home = homeOf(c, owner);
            List<UUID> mine = new ArrayList<>(List.of(home));
            for (int f = 0; f < foldersEach; f++) {
              UUID parent = mine.get(random.nextInt(mine.size()));
              UUID folder = addNode(c, parent, owner, "D");
              mine.add(folder);
              folders.add(folder);
              if (f % 2 == 0) {
                addFile(c, folder, owner, 1 + random.nextInt(3));
              }
            }
          }
          // a READ and a WRITE share from the first user to the others
          for (int g = 1; g < users.size(); g++) {
            exec(c, "INSERT INTO grants (node_id, grantee_id, mode, sealed_key, granted_by, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)",
                folders.get(g % folders.size()).toString(), users.get(g).toString(),
                g % 2 == 0 ? "R" : "W", bytes(120), users.get(0).toString(), now());
          }
          if (store != null) {
            exec(c, "UPDATE users SET used_bytes = (SELECT COALESCE(SUM(v.size), 0) FROM versions v"
                + " JOIN nodes n ON n.id = v.node_id WHERE n.owner_id = users.id)");
          }
          return null;
        });
    return this;
  }

  /** A chain of {@code count} folders under the first user's home, {@code fanout} per level. */
  SampleMetadata wideTree(Database db, int count, int fanout) {
    UUID owner = users.get(0);
    db.write(
        c -> {
          List<UUID> level = List.of(homeOf(c, owner));
          int made = 0;
          try (PreparedStatement ps = c.prepareStatement(NODE_INSERT)) {
            while (made < count) {
              List<UUID> next = new ArrayList<>();
              for (UUID parent : level) {
                for (int i = 0; i < fanout && made < count; i++, made++) {
                  UUID id = UUID.randomUUID();
                  bindNode(ps, id, parent, owner, "D");
                  ps.addBatch();
                  next.add(id);
                }
              }
              ps.executeBatch();
              level = next;
            }
          }
          return null;
        });
    return this;
  }

  private void addUser(Connection c, int n) throws SQLException {
    UUID id = UUID.randomUUID();
    UUID home = UUID.randomUUID();
    users.add(id);
    exec(c, "INSERT INTO users (id, username, auth_hash, kdf_salt, kdf_memory_kib, kdf_iterations,"
        + " kdf_parallelism, public_keys, private_keys_enc, recovery_enc, home_node_id,"
        + " quota_bytes, used_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id.toString(), "user-" + n, bytes(32), bytes(16), 65536, 3, 1, bytes(64), bytes(200),
        n % 2 == 0 ? null : bytes(90), home.toString(), n == 0 ? Long.MAX_VALUE : 1L << 40,
        (long) random.nextInt(1 << 30), now());
    exec(c, NODE_INSERT, home.toString(), null, id.toString(), "D", null, bytes(60), null, 0L,
        now(), now());
  }

  private UUID homeOf(Connection c, UUID user) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT home_node_id FROM users WHERE id = ?")) {
      ps.setString(1, user.toString());
      try (var rs = ps.executeQuery()) {
        rs.next();
        return UUID.fromString(rs.getString(1));
      }
    }
  }

  private UUID addNode(Connection c, UUID parent, UUID owner, String kind) throws SQLException {
    UUID id = UUID.randomUUID();
    try (PreparedStatement ps = c.prepareStatement(NODE_INSERT)) {
      bindNode(ps, id, parent, owner, kind);
      ps.executeUpdate();
    }
    return id;
  }

  private void addFile(Connection c, UUID folder, UUID owner, int versions) throws SQLException {
    UUID file = addNode(c, folder, owner, "F");
    files.add(file);
    UUID last = null;
    for (int v = 1; v <= versions; v++) {
      last = UUID.randomUUID();
      long size = random.nextInt(1 << 20);
      if (v % 2 == 1) {
        // every other version carries the client's encrypted metadata, opaque to the server
        byte[] meta = new byte[58];
        random.nextBytes(meta);
        exec(c, "INSERT INTO versions (id, node_id, seq, size, segment_size, author_id, created_at, meta)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            last.toString(), file.toString(), (long) v, size, 65536, owner.toString(), now(), meta);
      } else {
        exec(c, "INSERT INTO versions (id, node_id, seq, size, segment_size, author_id, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
            last.toString(), file.toString(), (long) v, size, 65536, owner.toString(), now());
      }
      for (int i = 0; i < 1 + random.nextInt(3); i++) {
        String block = blocks.get(random.nextInt(blocks.size()));
        long length = random.nextInt(1 << 22);
        exec(c, "INSERT INTO version_blocks (version_id, idx, block_hash, length) VALUES (?, ?, ?, ?)",
            last.toString(), i, block, store == null ? length : lengths.get(block));
        exec(c, "UPDATE blocks SET refs = refs + 1 WHERE hash = ?", block);
      }
    }
    exec(c, "UPDATE nodes SET current_version_id = ?, size = ? WHERE id = ?",
        last.toString(), (long) random.nextInt(1 << 20), file.toString());
  }

  private static final String NODE_INSERT =
      "INSERT INTO nodes (id, parent_id, owner_id, kind, enc_name, wrapped_key, current_version_id,"
          + " size, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private void bindNode(PreparedStatement ps, UUID id, UUID parent, UUID owner, String kind)
      throws SQLException {
    bind(ps, id.toString(), parent.toString(), owner.toString(), kind, bytes(40), bytes(60), null,
        0L, now(), now());
  }

  private long now() {
    return 1_700_000_000_000L + random.nextInt(1_000_000_000);
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void exec(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, values);
      ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      switch (v) {
        case null -> ps.setNull(i + 1, Types.VARCHAR);
        case String s -> ps.setString(i + 1, s);
        case Integer n -> ps.setInt(i + 1, n);
        case Long n -> ps.setLong(i + 1, n);
        case byte[] b -> ps.setBytes(i + 1, b);
        default -> throw new IllegalArgumentException(v.getClass().getName());
      }
    }
  }
}
