package io.edfs.client;

import io.edfs.protocol.Access;
import io.edfs.protocol.NodeKind;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A folder or file as its user sees it: decrypted name and plaintext size.
 *
 * @param version the sequence number of the current version (0: a folder or a file never
 *     written)
 * @param versionId the id of the current version (empty: a folder or a file never written);
 *     pass the entry to {@link Session#write(String, java.io.InputStream, Progress, Entry)} to
 *     write only if nobody else wrote since
 * @param shared whether the node has grants (known only to its owner)
 * @param meta what the current version's writer recorded about the file (its own modification
 *     time, its content's hash), when it did; {@code modifiedAt} is when the server took it
 */
public record Entry(
    UUID id,
    String name,
    NodeKind kind,
    long size,
    Instant createdAt,
    Instant modifiedAt,
    long version,
    Optional<UUID> versionId,
    Access access,
    boolean shared,
    Optional<FileMeta> meta) {
  /** The file's own modification time when its writer recorded it, else when the server took it. */
  public Instant mtime() {
    return meta.map(FileMeta::modified).orElse(modifiedAt);
  }

  public boolean isFolder() {
    return kind == NodeKind.D;
  }
}
