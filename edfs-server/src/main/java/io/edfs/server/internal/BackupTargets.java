package io.edfs.server.internal;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Opens the backup a location names: a folder ({@code DIR} or {@code file:DIR}) or an S3 bucket
 * ({@code s3://BUCKET[/PREFIX]?endpoint=..}, as for {@code --blocks}).
 */
final class BackupTargets {
  private BackupTargets() {}

  /**
   * The backup at {@code location} to add a snapshot to, created if need be; an S3 backup stages
   * snapshots in {@code spool}.
   */
  static BackupTarget forBackup(String location, Path spool) throws IOException {
    if (location.startsWith(S3BlockStore.Location.SCHEME)) {
      return S3BackupTarget.forBackup(location, spool);
    }
    return FolderBackupTarget.forBackup(folder(location));
  }

  /** The existing backup at {@code location}, to restore from. */
  static BackupTarget forRestore(String location, Path spool) throws IOException {
    if (location.startsWith(S3BlockStore.Location.SCHEME)) {
      return S3BackupTarget.forRestore(location, spool);
    }
    return FolderBackupTarget.forRestore(folder(location));
  }

  private static Path folder(String location) throws AdminException {
    if (location.isBlank()) {
      throw new AdminException(Problem.NOT_A_BACKUP, "a backup location must not be blank");
    }
    String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
    if (path.startsWith("//")) {
      path = path.substring(2); // file:///mnt/backup
    }
    try {
      return Path.of(path);
    } catch (InvalidPathException e) {
      throw new AdminException(Problem.NOT_A_BACKUP, "not a folder: " + location, e);
    }
  }
}
