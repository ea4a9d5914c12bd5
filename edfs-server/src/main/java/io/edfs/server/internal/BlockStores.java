package io.edfs.server.internal;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the block store a URI names (see {@link io.edfs.server.ServerConfig#blocks}). */
final class BlockStores {
  private BlockStores() {}

  /**
   * Opens the store {@code uri} names, or folder {@code blocks} in {@code dataDir} when it is null.
   *
   * @throws IllegalArgumentException if the URI is malformed or names no known kind of store
   */
  static BlockStore open(String uri, Path dataDir) throws IOException {
    if (uri == null) {
      return new DiskBlockStore(dataDir.resolve("blocks"));
    }
    if (uri.startsWith("file:")) {
      String path = uri.substring("file:".length());
      if (path.startsWith("//")) {
        path = path.substring(2); // file:///srv/blocks
      }
      if (path.isBlank()) {
        throw new IllegalArgumentException("a file: block store needs a folder, as in file:/srv/edfs-blocks");
      }
      return new DiskBlockStore(Path.of(path).toAbsolutePath());
    }
    throw new IllegalArgumentException(
        "unknown block store "
            + io.edfs.server.ServerConfig.redact(uri)
            + "; expected file:DIR");
  }
}
