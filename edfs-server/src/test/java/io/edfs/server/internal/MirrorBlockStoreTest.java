package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MirrorBlockStore on two folders")
class MirrorBlockStoreTest extends MirrorBlockStoreContract {
  @TempDir Path dir;

  @Override
  MirrorBlockStore store() throws Exception {
    return (MirrorBlockStore)
        BlockStores.open(
            "mirror:file:" + Files.createDirectories(dir.resolve("a")) + ",file://" + Files.createDirectories(dir.resolve("b")), dir);
  }

  @Override
  Path copy(MirrorBlockStore store, int side, String hash) {
    return ((DiskBlockStore) (side == 0 ? store.first() : store.second())).path(hash);
  }

  @Test
  @DisplayName("says which folders it mirrors, and leaves nothing in its spool")
  void folders() throws Exception {
    MirrorBlockStore store = store();
    assertThat(store.describe()).isEqualTo("mirror of folder " + dir.resolve("a") + " and folder " + dir.resolve("b"));
    String hash = put(store, bytes(LARGE, 1));
    read(store, hash, 0);
    read(store, hash, 10);
    try (Stream<Path> spooled = Files.list(dir.resolve("spool"))) {
      assertThat(spooled).isEmpty();
    }
  }
}
