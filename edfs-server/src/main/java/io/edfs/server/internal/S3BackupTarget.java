package io.edfs.server.internal;

import io.edfs.server.AdminException;
import io.edfs.server.AdminException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A backup in an S3 bucket, {@code s3://BUCKET[/PREFIX]?endpoint=..}: objects {@code
 * PREFIX/blocks/ab/cd/<hash>} (an {@code s3:} block store), {@code
 * PREFIX/snapshots/<name>.edfs-dump.gz}, {@code PREFIX/server.secret} and {@code PREFIX/store-id}. A snapshot is staged in a
 * local file and published with one PUT, which S3 makes visible whole or not at all. Who may read
 * the objects is the bucket's policy: keep it as private as the server's data folder.
 */
final class S3BackupTarget implements BackupTarget {
  private final S3BlockStore.Location root;
  private final S3BlockStore blocks;
  private final Path spool;

  private S3BackupTarget(S3BlockStore.Location root, Spool spool) {
    this.root = root;
    this.blocks = new S3BlockStore(root.below("blocks"), spool);
    this.spool = spool.folder();
  }

  /**
   * The backup at {@code uri} to add a snapshot to; staged files go to {@code spool}.
   *
   * @throws AdminException if the bucket holds other objects under the prefix
   */
  static S3BackupTarget forBackup(String uri, Path spool) throws IOException {
    S3BackupTarget target = open(uri, spool);
    try {
      target.blocks.check();
      if (!target.isBackup() && !target.objects(1).isEmpty()) {
        throw new AdminException(
            Problem.NOT_A_BACKUP,
            target.describe()
                + " holds objects but no edfs backup (no server.secret, no snapshots); back up"
                + " under a new prefix, or into an earlier backup of this server");
      }
      return target;
    } catch (IOException | RuntimeException e) {
      target.close();
      throw e;
    }
  }

  /**
   * The backup at {@code uri} to restore from.
   *
   * @throws AdminException if there is no backup there
   */
  static S3BackupTarget forRestore(String uri, Path spool) throws IOException {
    S3BackupTarget target = open(uri, spool);
    try {
      target.blocks.check();
      if (!target.isBackup()) {
        throw new AdminException(
            Problem.NOT_A_BACKUP, target.describe() + " holds no edfs backup (no server.secret)");
      }
      return target;
    } catch (IOException | RuntimeException e) {
      target.close();
      throw e;
    }
  }

  private static S3BackupTarget open(String uri, Path spool) throws IOException {
    S3BlockStore.Location root;
    try {
      root = S3BlockStore.Location.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new AdminException(
          Problem.NOT_A_BACKUP, e.getMessage().replace("block store URI", "backup URI"), e);
    }
    return new S3BackupTarget(root, new Spool(spool));
  }

  /** Every backup holds the secret: it is stored before the first block. */
  private boolean isBackup() throws IOException {
    return !blocks.keys(secretKey(), 1).isEmpty();
  }

  private List<String> objects(int max) throws IOException {
    return blocks.keys(root.keyPrefix(), max);
  }

  private String snapshotsPrefix() {
    return root.keyPrefix() + "snapshots/";
  }

  private String secretKey() {
    return root.keyPrefix() + ServerSecret.FILE_NAME;
  }

  private String key(String name) {
    return snapshotsPrefix() + BackupTarget.fileName(name);
  }

  @Override
  public BlockStore blocks() {
    return blocks;
  }

  @Override
  public List<String> snapshots() throws IOException {
    List<String> files = new ArrayList<>();
    for (String key : blocks.keys(snapshotsPrefix(), Integer.MAX_VALUE)) {
      files.add(key.substring(snapshotsPrefix().length()));
    }
    return BackupTarget.snapshotNames(files);
  }

  @Override
  public InputStream openSnapshot(String name) throws IOException {
    return blocks.getObject(key(name));
  }

  @Override
  public Path stage() {
    return spool.resolve(".snapshot-" + UUID.randomUUID() + ".partial");
  }

  @Override
  public void publish(Path staged, String name) throws IOException {
    blocks.putObject(key(name), staged);
  }

  @Override
  public Optional<byte[]> secret() throws IOException {
    try (InputStream in = blocks.getObject(secretKey())) {
      return Optional.of(ServerSecret.checkRaw(in.readNBytes(ServerSecret.LENGTH + 1), describe() + " server.secret"));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void storeSecret(byte[] secret) throws IOException {
    blocks.putObject(secretKey(), secret);
  }

  @Override
  public Optional<String> installation() throws IOException {
    try (InputStream in = blocks.getObject(root.keyPrefix() + INSTALLATION_FILE)) {
      return Optional.of(new String(in.readNBytes(256), StandardCharsets.UTF_8).strip())
          .filter(id -> !id.isEmpty());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void storeInstallation(String id) throws IOException {
    blocks.putObject(
        root.keyPrefix() + INSTALLATION_FILE, (id + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String describe() {
    return root.toString();
  }

  @Override
  public void close() {
    blocks.close();
  }
}
