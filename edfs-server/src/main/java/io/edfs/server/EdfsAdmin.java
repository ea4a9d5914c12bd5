package io.edfs.server;

import io.edfs.server.internal.Backups;
import io.edfs.server.internal.Fsck;
import io.edfs.server.internal.MetadataDump;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Administration of an installation: backup and restore, checks and repairs, and a logical dump of
 * the metadata that any engine can load, which is how an installation moves from SQLite to
 * MariaDB/MySQL or PostgreSQL (or back).
 *
 * <p>{@link #backup}, {@link #fsck} and {@link #repair} work beside running servers; {@link
 * #restore} and {@link #load} fill an installation no server uses yet, and {@link #dump} is meant
 * for a stopped server (its data folder stays where it is).
 *
 * <p>A dump holds every user, node, version, block reference and grant, taken in one consistent
 * snapshot; not login sessions (users log in again). The server secret ({@code server.secret},
 * the pepper of stored password hashes), the TLS identity and the blocks stay in the data folder:
 * after a load, start the server with the same data folder and the new database.
 *
 * <p>The dump format (gzip'd JSON lines, the same on every engine) is described in {@code
 * docs/metadata-dump.md}. Dumps and loads stream: memory stays flat whatever the size.
 */
public final class EdfsAdmin {
  private EdfsAdmin() {}

  /**
   * Writes a dump of the metadata of {@code config}'s database to {@code out} (which stays open).
   *
   * @throws IOException if the database cannot be opened or read, or {@code out} fails
   */
  public static DumpSummary dump(ServerConfig config, OutputStream out) throws IOException {
    return MetadataDump.dump(config, out);
  }

  /**
   * Writes a dump to {@code file}, readable by its owner only, atomically: if the dump fails,
   * {@code file} is left as it was.
   */
  public static DumpSummary dump(ServerConfig config, Path file) throws IOException {
    return MetadataDump.dump(config, file);
  }

  /**
   * Loads a dump from {@code in} (which stays open) into {@code config}'s database, creating its
   * schema first; the database must hold no users, nodes or blocks yet. Rows go in batches of
   * 1,000, one transaction each, and the dump's footer is checked at the end: if a load fails part
   * way, the database holds part of the dump and must be emptied before loading again.
   *
   * @throws DumpException if the dump is not one, has an unknown version, is truncated or
   *     damaged, or the database is not empty
   * @throws IOException if the database cannot be opened or written, or {@code in} fails
   */
  public static DumpSummary load(InputStream in, ServerConfig config) throws IOException {
    return MetadataDump.load(in, config);
  }

  /**
   * Backs up the installation {@code config} describes to {@code location}, a folder ({@code DIR}
   * or {@code file:DIR}, created private if new): one consistent snapshot of the metadata, taken
   * in one read transaction, every block the snapshot refers to that the backup does not hold yet
   * (so later backups copy only new blocks), and the server secret. The snapshot is published
   * last, atomically: a backup that fails leaves no snapshot, and the blocks it copied serve the
   * next one. Servers may keep running.
   *
   * <p>A backup holds what the data folder and the database hold (the server secret, peppered
   * password hashes, wrapped keys): keep it as private as they are.
   *
   * @throws AdminException if a block a file version refers to is missing or corrupt in the
   *     server's block store ({@code MISSING_BLOCK}, {@code CORRUPT_BLOCK}: run {@link #fsck}),
   *     the location holds something other than a backup, or the backup of another installation
   *     ({@code NOT_A_BACKUP}, {@code OTHER_SECRET}), or the data folder has no server secret
   * @throws IOException if the database, a block store or the backup cannot be read or written
   */
  public static BackupSummary backup(ServerConfig config, String location) throws IOException {
    return Backups.backup(config, location);
  }

  /**
   * Restores a snapshot of the backup at {@code location} (the newest, or the one named) into the
   * installation {@code config} describes: the blocks the snapshot refers to go into its block
   * store (those it holds already are skipped), the server secret into its data folder, the
   * metadata into its database, which must be empty; then every block a file version refers to is
   * looked up in the block store. Any engine and any block store will do, whatever the backed-up
   * installation used.
   *
   * @throws AdminException if there is no backup or no such snapshot ({@code NOT_A_BACKUP}, {@code
   *     NO_SNAPSHOT}), the data folder holds another server secret ({@code OTHER_SECRET}), the block
   *     store is marked as another installation's ({@code OTHER_INSTALLATION}), or the
   *     backup lacks a block or holds a corrupt one ({@code MISSING_BLOCK}, {@code CORRUPT_BLOCK})
   * @throws DumpException if the database is not empty ({@code TARGET_NOT_EMPTY}) or the snapshot
   *     is damaged
   * @throws IOException if the database, a block store or the backup cannot be read or written
   */
  public static RestoreSummary restore(
      String location, Optional<String> snapshot, ServerConfig config) throws IOException {
    return Backups.restore(location, snapshot, config);
  }

  /**
   * Checks the installation {@code config} describes: every block a file version lists has a row,
   * every row's refs counts its version entries, every block is in the block store and hashes to
   * its name (each is read whole), every current version belongs to its file, every user's used
   * bytes add up; stored blocks without a row are reported as harmless orphans. With {@code
   * repair}, fixes what can be fixed without guessing: refs counts, used bytes, the rows of lost
   * blocks no version needs, and, on a mirrored block store, a side's missing or corrupt copy
   * from the other side's good one. Lost content cannot be made up: the versions that need a missing or
   * corrupt block are reported by file id and version, with the owner's username. Servers may
   * keep running.
   *
   * @throws IOException if the database or the block store cannot be read
   */
  public static FsckReport fsck(ServerConfig config, boolean repair) throws IOException {
    return Fsck.fsck(config, repair);
  }

  /**
   * Repairs a mirrored block store ({@code mirror:URI,URI}): copies to each side the blocks it
   * lacks and, when {@code verify}, reads every copy on both sides and replaces a corrupt one with
   * the other side's good copy (without it, only the listings are compared). Servers may keep
   * running. {@link #fsck} with repair mends the blocks its rows name the same way, and says which
   * files need a block no side holds intact.
   *
   * @throws AdminException ({@code UNSUPPORTED_STORE}) if the block store is not a mirror
   * @throws IOException if a side cannot be listed, read or written; what was copied stays
   */
  public static RepairSummary repair(ServerConfig config, boolean verify) throws IOException {
    return Fsck.repairMirror(config, verify);
  }

  /**
   * The database of {@code config} for messages, never with its password, e.g. {@code SQLite
   * database /srv/edfs/edfs.db}.
   */
  public static String describeDatabase(ServerConfig config) {
    return MetadataDump.describe(config);
  }
}
