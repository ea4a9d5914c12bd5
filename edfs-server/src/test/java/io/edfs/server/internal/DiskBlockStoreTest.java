package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DiskBlockStore")
class DiskBlockStoreTest extends BlockStoreContract {
  @TempDir Path dir;

  @Override
  BlockStore store() throws Exception {
    return new DiskBlockStore(dir.resolve("blocks"), dir.resolve("tmp"));
  }

  @Test
  @DisplayName("keeps blocks as blocks/ab/cd/<hash> and leaves nothing in tmp/")
  void layout() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(5000, 10);
    String hash = sha256(data);
    store.put(hash, data.length, new ByteArrayInputStream(data));
    Path file =
        dir.resolve("blocks")
            .resolve(hash.substring(0, 2))
            .resolve(hash.substring(2, 4))
            .resolve(hash);
    assertThat(file).hasBinaryContent(data);
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }

  @Test
  @DisplayName("removes uploads left over from a crash when it opens")
  void cleansTmp() throws Exception {
    Files.createDirectories(dir.resolve("tmp"));
    Files.write(dir.resolve("tmp").resolve("x.part"), new byte[10]);
    store();
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }
}
