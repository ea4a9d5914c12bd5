package io.edfs.server.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Block stores a test opened, closed after it (a field with {@code @AutoClose}). */
final class OpenedStores implements AutoCloseable {
  private final List<BlockStore> stores = new ArrayList<>();

  /** Opens the store {@code uri} names, with {@code dataDir} as the data folder. */
  BlockStore open(String uri, Path dataDir) throws IOException {
    BlockStore store = BlockStores.open(uri, dataDir);
    stores.add(store);
    return store;
  }

  @Override
  public void close() {
    stores.forEach(BlockStore::close);
    stores.clear();
  }
}
