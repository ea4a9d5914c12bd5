package io.edfs.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where backups go: a block store of its own (incremental by hash: a block it holds is never
 * copied again), the snapshots (metadata dumps, each named by its UTC time), the server secret and
 * the installation id.
 * A snapshot is published last and atomically, so one that a reader sees has all its blocks.
 * Implementations need not be thread-safe, except {@link #blocks()}.
 */
interface BackupTarget extends AutoCloseable {
  /** The file name ending of a snapshot. */
  String SNAPSHOT_SUFFIX = ".edfs-dump.gz";

  /** The backup's blocks. */
  BlockStore blocks();

  /** The names of the published snapshots, oldest first. */
  List<String> snapshots() throws IOException;

  /**
   * Opens a published snapshot; the caller closes it.
   *
   * @throws java.nio.file.NoSuchFileException if there is no snapshot of that name
   */
  InputStream openSnapshot(String name) throws IOException;

  /**
   * A path, not yet existing, where a snapshot may be written (owner-only) before it is published;
   * the caller deletes it if it is not published.
   */
  Path stage() throws IOException;

  /** Publishes the snapshot written to {@code staged} under {@code name}, atomically. */
  void publish(Path staged, String name) throws IOException;

  /** The server secret the backup holds, if it holds one yet. */
  Optional<byte[]> secret() throws IOException;

  /** Stores the server secret, readable by its owner only. */
  void storeSecret(byte[] secret) throws IOException;

  /**
   * The installation id ({@code cluster.store-id}, which the installation's block store marker
   * repeats) the backup records, if it records one.
   */
  Optional<String> installation() throws IOException;

  /** Records the installation id next to the server secret. */
  void storeInstallation(String id) throws IOException;

  /** The file (or object) name of the installation id, next to the server secret's. */
  String INSTALLATION_FILE = "store-id";

  /** Where the backup is, for people: never with a credential. */
  String describe();

  @Override
  void close();

  /**
   * The file (or object) name of snapshot {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} cannot be a snapshot's
   */
  static String fileName(String name) {
    if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
      throw new IllegalArgumentException("not a snapshot name: " + name);
    }
    return name + SNAPSHOT_SUFFIX;
  }

  /** The names of the snapshots among {@code files}, sorted (oldest first): others are skipped. */
  static List<String> snapshotNames(List<String> files) {
    List<String> names = new ArrayList<>();
    for (String file : files) {
      if (file.endsWith(SNAPSHOT_SUFFIX) && !file.contains("/") && !file.startsWith(".")) {
        names.add(file.substring(0, file.length() - SNAPSHOT_SUFFIX.length()));
      }
    }
    names.sort(null);
    return names;
  }
}
