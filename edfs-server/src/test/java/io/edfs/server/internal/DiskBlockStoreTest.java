package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DiskBlockStore")
class DiskBlockStoreTest extends BlockStoreContract {
  @TempDir Path dir;

  @Override
  BlockStore store() throws Exception {
    return new DiskBlockStore(dir.resolve("blocks"));
  }

  @Test
  @DisplayName("keeps blocks as blocks/ab/cd/<hash> and leaves nothing in blocks/.tmp/")
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
    try (Stream<Path> tmp = Files.list(dir.resolve("blocks/.tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }

  @Test
  @DisplayName("removes uploads left over from a crash when it opens, but not another node's running one")
  void cleansTmp() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("blocks/.tmp"));
    Path stale = Files.write(tmp.resolve("old.part"), new byte[10]);
    Files.setLastModifiedTime(
        stale, FileTime.from(Instant.now().minus(DiskBlockStore.STALE_PART).minusSeconds(60)));
    Path running = Files.write(tmp.resolve("young.part"), new byte[10]);
    store();
    assertThat(stale).doesNotExist();
    assertThat(running).exists();
  }
}
