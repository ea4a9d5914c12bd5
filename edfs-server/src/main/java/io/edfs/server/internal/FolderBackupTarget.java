package io.edfs.server.internal;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A backup in a folder: {@code blocks/ab/cd/<hash>} (a {@code file:} block store), {@code
 * snapshots/<name>.edfs-dump.gz}, {@code server.secret} and {@code store-id}, all private to the folder's owner. A
 * snapshot is staged as {@code snapshots/.<random>.partial} and renamed into place; hidden files
 * there that a backup which died left behind are removed a day later.
 */
final class FolderBackupTarget implements BackupTarget {
  private static final String PARTIAL = ".partial";
  /** A staged snapshot (or its temp file) untouched this long belongs to a backup that died. */
  private static final Duration STALE_PARTIAL = Duration.ofDays(1);

  private final Path root;
  private final Path snapshots;
  private final DiskBlockStore blocks;

  private FolderBackupTarget(Path root) throws IOException {
    this.root = root;
    this.snapshots = root.resolve("snapshots");
    this.blocks = new DiskBlockStore(root.resolve("blocks"));
  }

  /**
   * The backup in {@code root} to add a snapshot to: created (private) if the folder does not
   * exist or is empty.
   *
   * @throws AdminException if the folder holds something else
   */
  static FolderBackupTarget forBackup(Path root) throws IOException {
    Path dir = root.toAbsolutePath();
    if (Files.exists(dir) && !isBackup(dir) && !isEmpty(dir)) {
      throw new AdminException(
          Problem.NOT_A_BACKUP,
          dir + " is neither an edfs backup (it has no snapshots folder) nor empty; back up into"
              + " a new or empty folder, or into an earlier backup of this server");
    }
    PrivateFiles.createPrivateDirectory(dir);
    PrivateFiles.createPrivateDirectory(dir.resolve("snapshots"));
    FolderBackupTarget target = new FolderBackupTarget(dir);
    target.removeStalePartials();
    return target;
  }

  /**
   * The backup in {@code root} to restore from.
   *
   * @throws AdminException if there is no backup there
   */
  static FolderBackupTarget forRestore(Path root) throws IOException {
    Path dir = root.toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new AdminException(Problem.NOT_A_BACKUP, "there is no backup folder " + dir);
    }
    if (!isBackup(dir)) {
      throw new AdminException(
          Problem.NOT_A_BACKUP, dir + " is not an edfs backup (it has no snapshots folder)");
    }
    return new FolderBackupTarget(dir);
  }

  private static boolean isBackup(Path dir) {
    return Files.isDirectory(dir.resolve("snapshots"));
  }

  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  @Override
  public BlockStore blocks() {
    return blocks;
  }

  @Override
  public List<String> snapshots() throws IOException {
    List<String> files = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(snapshots)) {
      all.forEach(f -> files.add(f.getFileName().toString()));
    }
    return BackupTarget.snapshotNames(files);
  }

  @Override
  public InputStream openSnapshot(String name) throws IOException {
    return Files.newInputStream(file(name));
  }

  @Override
  public Path stage() {
    return snapshots.resolve("." + UUID.randomUUID() + PARTIAL);
  }

  @Override
  public void publish(Path staged, String name) throws IOException {
    Path target = file(name);
    if (Files.exists(target)) {
      throw new IOException("snapshot " + target + " exists already");
    }
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    PrivateFiles.fsyncDirectory(snapshots);
  }

  private Path file(String name) {
    return snapshots.resolve(BackupTarget.fileName(name));
  }

  @Override
  public Optional<byte[]> secret() throws IOException {
    try {
      return Optional.of(ServerSecret.readRaw(root.resolve(ServerSecret.FILE_NAME)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void storeSecret(byte[] secret) throws IOException {
    PrivateFiles.writeAtomically(root.resolve(ServerSecret.FILE_NAME), secret);
  }

  @Override
  public Optional<String> installation() throws IOException {
    try {
      return Optional.of(Files.readString(root.resolve(INSTALLATION_FILE)).strip())
          .filter(id -> !id.isEmpty());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void storeInstallation(String id) throws IOException {
    PrivateFiles.writeAtomically(
        root.resolve(INSTALLATION_FILE), (id + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String describe() {
    return "folder " + root;
  }

  @Override
  public void close() {
    blocks.close();
  }

  private void removeStalePartials() throws IOException {
    Instant cutoff = Instant.now().minus(STALE_PARTIAL);
    try (DirectoryStream<Path> partials = Files.newDirectoryStream(snapshots, ".*")) {
      for (Path p : partials) {
        try {
          if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(p);
          }
        } catch (NoSuchFileException e) {
          // removed meanwhile
        }
      }
    }
  }
}
