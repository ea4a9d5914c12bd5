package io.edfs.server.internal;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Opens the backup a location names: a folder ({@code DIR} or {@code file:DIR}). */
final class BackupTargets {
  private BackupTargets() {}

  /** The backup at {@code location} to add a snapshot to, created if need be. */
  static BackupTarget forBackup(String location) throws IOException {
    return FolderBackupTarget.forBackup(folder(location));
  }

  /** The existing backup at {@code location}, to restore from. */
  static BackupTarget forRestore(String location) throws IOException {
    return FolderBackupTarget.forRestore(folder(location));
  }

  private static Path folder(String location) throws AdminException {
    if (location.isBlank()) {
      throw new AdminException(Problem.NOT_A_BACKUP, "a backup location must not be blank");
    }
    if (location.startsWith("s3://")) {
      throw new AdminException(
          Problem.UNSUPPORTED_STORE,
          "backups to s3:// are not available in this build; back up to a folder");
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
