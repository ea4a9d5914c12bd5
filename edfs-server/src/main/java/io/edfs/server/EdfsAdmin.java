package io.edfs.server;

import io.edfs.server.internal.MetadataDump;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Administration of a server's metadata while the server is stopped: a logical dump that any
 * engine can load, which is how an installation moves from SQLite to MariaDB/MySQL or PostgreSQL
 * (or back).
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
   * The database of {@code config} for messages, never with its password, e.g. {@code SQLite
   * database /srv/edfs/edfs.db}.
   */
  public static String describeDatabase(ServerConfig config) {
    return MetadataDump.describe(config);
  }
}
