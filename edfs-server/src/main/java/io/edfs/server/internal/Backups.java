package io.edfs.server.internal;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import io.edfs.server.BackupSummary;
import io.edfs.server.BlockCopy;
import io.edfs.server.DumpSummary;
import io.edfs.server.RestoreSummary;
import io.edfs.server.ServerConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backup and restore of a whole installation, the implementation behind {@link
 * io.edfs.server.EdfsAdmin#backup} and {@link io.edfs.server.EdfsAdmin#restore}.
 *
 * <p>A backup dumps the metadata in one read transaction (a consistent snapshot, even of running
 * servers) to a staged file, copies every block the snapshot lists that the backup lacks, stores
 * the server secret, and only then publishes the snapshot: a backup that dies half way leaves no
 * snapshot claiming blocks the backup lacks. A restore copies a snapshot's blocks into the target
 * store (which must be unmarked or marked as the backup's installation), installs the secret, loads
 * the metadata into an empty database, verifies that every block a version refers to is there, and
 * marks the store and the database with the backup's installation id.
 */
public final class Backups {
  private static final DateTimeFormatter SNAPSHOT_NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int PAGE = 1000;

  private Backups() {}

  /** Backs up the installation {@code config} describes to {@code location}. */
  public static BackupSummary backup(ServerConfig config, String location) throws IOException {
    long start = System.nanoTime();
    Path dataDir = config.dataDir().toAbsolutePath();
    byte[] secret = liveSecret(dataDir);
    // the installation first: a mistyped --data or --db must not leave an empty backup behind
    try (Database db = MetadataDump.open(config, false);
        BlockStore live = openStore(config);
        BackupTarget target = BackupTargets.forBackup(location, dataDir.resolve("spool"))) {
      Optional<byte[]> stored = target.secret();
      boolean same = stored.map(s -> Arrays.equals(s, secret)).orElse(true);
      stored.ifPresent(s -> Arrays.fill(s, (byte) 0));
      if (!same) {
        throw new AdminException(
            Problem.OTHER_SECRET,
            "the backup in "
                + target.describe()
                + " holds another server's secret: it is the backup of another installation;"
                + " back up into a new folder");
      }
      if (stored.isEmpty()) {
        // first of all: the secret marks the folder or bucket as this installation's backup
        target.storeSecret(secret);
      }
      // none yet for an installation not started since the store marker was introduced
      Optional<String> id = ClusterFacts.installationId(db);
      if (id.isPresent() && !id.equals(target.installation())) {
        target.storeInstallation(id.get());
      }
      String name = newName(target.snapshots(), Instant.now());
      Path staged = target.stage();
      try {
        DumpSummary metadata = PrivateFiles.writeAtomically(staged, out -> MetadataDump.dump(db, out));
        BlockCopy copy;
        try (BlockCopier copier =
                new BlockCopier(
                    live,
                    "the server's block store (" + live.describe() + ")",
                    "run 'edfs admin fsck' to see which files are affected",
                    target.blocks());
            InputStream in = new BufferedInputStream(Files.newInputStream(staged), 1 << 16)) {
          MetadataDump.scanBlocks(in, copier);
          copy = copier.finish();
        }
        target.publish(staged, name);
        return new BackupSummary(
            name, target.describe(), metadata, copy, Duration.ofNanos(System.nanoTime() - start));
      } finally {
        Files.deleteIfExists(staged);
      }
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * Restores snapshot {@code snapshot} (the newest if empty) of the backup at {@code location}
   * into the empty database, the block store and the data folder {@code config} names.
   */
  public static RestoreSummary restore(String location, Optional<String> snapshot, ServerConfig config)
      throws IOException {
    long start = System.nanoTime();
    Path dataDir = config.dataDir().toAbsolutePath();
    Path secretFile = dataDir.resolve(ServerSecret.FILE_NAME);
    PrivateFiles.createPrivateDirectory(dataDir);
    try (BackupTarget backup = BackupTargets.forRestore(location, dataDir.resolve("spool"))) {
      String name = pick(backup, snapshot);
      byte[] secret =
          backup
              .secret()
              .orElseThrow(
                  () ->
                      new AdminException(
                          Problem.NO_SECRET,
                          "the backup in " + backup.describe() + " holds no server.secret"));
      try {
        if (Files.exists(secretFile)) {
          byte[] existing = ServerSecret.readRaw(secretFile);
          boolean same = Arrays.equals(existing, secret);
          Arrays.fill(existing, (byte) 0);
          if (!same) {
            throw new AdminException(
                Problem.OTHER_SECRET,
                secretFile
                    + " holds another server secret than the backup: that data folder belongs to"
                    + " another installation; restore into a new data folder (--data)");
          }
        }
        // refuse a database that holds metadata before copying a single block
        try (Database db = MetadataDump.open(config, true)) {
          MetadataDump.requireLoadable(db);
        }
        try (BlockStore store = openStore(config)) {
          Optional<String> installation = backup.installation();
          requireOwnStore(store, installation);
          BlockCopy copy;
          Set<String> skipped;
          try (BlockCopier copier =
                  new BlockCopier(
                      backup.blocks(),
                      "the backup's block store (" + backup.blocks().describe() + ")",
                      "the backup is damaged: restore an earlier snapshot (--snapshot)",
                      store);
              InputStream in = new BufferedInputStream(backup.openSnapshot(name), 1 << 16)) {
            MetadataDump.scanBlocks(in, copier);
            copy = copier.finish();
            skipped = copier.skipped();
          }
          if (!Files.exists(secretFile)) {
            PrivateFiles.writeAtomically(secretFile, secret);
          }
          DumpSummary metadata;
          try (InputStream in = new BufferedInputStream(backup.openSnapshot(name), 1 << 16)) {
            metadata = MetadataDump.load(in, config);
          }
          long verified;
          try (Database db = MetadataDump.open(config, false)) {
            dropRows(db, skipped);
            verified = verify(db, store);
            ClusterFacts.claim(
                db,
                store,
                installation.orElseGet(() -> ClusterFacts.newInstallationId(new SecureRandom())));
          } catch (Database.StorageException e) {
            throw new IOException(
                "the metadata is loaded, but checking it failed: "
                    + e.getMessage()
                    + "; run 'edfs admin fsck' on the restored installation",
                e);
          }
          return new RestoreSummary(
              name,
              backup.describe(),
              store.describe(),
              metadata,
              copy,
              verified,
              Duration.ofNanos(System.nanoTime() - start));
        }
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }
  }

  /**
   * Refuses a block store whose marker names another installation than the backup's, before a
   * block is copied: the restored database would share it with that installation's, and each
   * garbage collector would remove the other's blocks. A store without a marker is new (or one
   * from before the marker) and is fine.
   */
  private static void requireOwnStore(BlockStore store, Optional<String> installation)
      throws IOException {
    Optional<String> marker = store.readMarker();
    if (marker.isPresent() && !marker.equals(installation)) {
      throw new AdminException(
          Problem.OTHER_INSTALLATION,
          store.describe()
              + " belongs to another installation (its "
              + BlockStore.MARKER
              + " names "
              + marker.get()
              + ", the backup's installation is "
              + installation.orElse("not recorded")
              + "); restore into a new, empty block store (--blocks)");
    }
  }

  /** The secret of the installation being backed up. */
  private static byte[] liveSecret(Path dataDir) throws IOException {
    Path file = dataDir.resolve(ServerSecret.FILE_NAME);
    try {
      return ServerSecret.readRaw(file);
    } catch (NoSuchFileException e) {
      throw new AdminException(
          Problem.NO_SECRET,
          "there is no server secret "
              + file
              + "; back up on a machine with the server's data folder (--data), which every stored"
              + " password depends on",
          e);
    }
  }

  static BlockStore openStore(ServerConfig config) throws IOException {
    try {
      return BlockStores.open(config.blocks(), config.dataDir().toAbsolutePath());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** A name after every existing one: the snapshot's UTC time, unique within the backup. */
  static String newName(List<String> existing, Instant now) {
    Instant t = now;
    String name = SNAPSHOT_NAME.format(t);
    while (!existing.isEmpty() && name.compareTo(existing.getLast()) <= 0) {
      t = t.plusMillis(1);
      name = SNAPSHOT_NAME.format(t);
    }
    return name;
  }

  private static String pick(BackupTarget backup, Optional<String> wanted) throws IOException {
    List<String> names = backup.snapshots();
    if (names.isEmpty()) {
      throw new AdminException(
          Problem.NO_SNAPSHOT, "the backup in " + backup.describe() + " holds no snapshot yet");
    }
    if (wanted.isEmpty()) {
      return names.getLast();
    }
    String name = wanted.get();
    if (name.endsWith(BackupTarget.SNAPSHOT_SUFFIX)) {
      name = name.substring(0, name.length() - BackupTarget.SNAPSHOT_SUFFIX.length());
    }
    if (!names.contains(name)) {
      throw new AdminException(
          Problem.NO_SNAPSHOT,
          "the backup in "
              + backup.describe()
              + " has no snapshot "
              + wanted.get()
              + "; it has "
              + describe(names));
    }
    return name;
  }

  private static String describe(List<String> names) {
    if (names.size() <= 5) {
      return String.join(", ", names);
    }
    return names.size()
        + ": "
        + String.join(", ", names.subList(0, 2))
        + ", ..., "
        + String.join(", ", names.subList(names.size() - 2, names.size()));
  }

  /** Drops the rows of blocks the restore skipped (nothing refers to them; they are gone). */
  private static void dropRows(Database db, Set<String> skipped) {
    if (skipped.isEmpty()) {
      return;
    }
    List<String> hashes = List.copyOf(skipped);
    for (int from = 0; from < hashes.size(); from += PAGE) {
      List<String> chunk = hashes.subList(from, Math.min(hashes.size(), from + PAGE));
      db.write(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM blocks WHERE hash = ? AND refs <= 0")) {
              for (String h : chunk) {
                ps.setString(1, h);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
    }
  }

  /**
   * Checks that {@code store} holds every block a version refers to; returns how many distinct
   * blocks that is.
   */
  private static long verify(Database db, BlockStore store) throws IOException {
    AtomicLong checked = new AtomicLong();
    List<String> missing = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Parallel checks = new Parallel(BlockCopier.WIDTH)) {
      db.readPages(
          "SELECT DISTINCT block_hash FROM version_blocks WHERE block_hash > ? ORDER BY block_hash",
          PAGE,
          rs -> rs.getString(1),
          hash -> hash,
          page -> {
            for (String hash : page) {
              checks.submit(
                  () -> {
                    if (!store.contains(hash)) {
                      missing.add(hash);
                    }
                    checked.incrementAndGet();
                  });
            }
          });
      checks.await();
    }
    if (!missing.isEmpty()) {
      throw new AdminException(
          Problem.MISSING_BLOCK,
          "after the restore, "
              + missing.size()
              + " block(s) that file versions refer to are missing from "
              + store.describe()
              + " (e.g. "
              + missing.getFirst()
              + "); run 'edfs admin fsck' on the restored installation");
    }
    return checked.get();
  }
}
