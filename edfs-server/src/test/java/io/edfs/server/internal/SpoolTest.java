package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Spool")
class SpoolTest {
  @TempDir Path dir;

  long files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  @DisplayName("holds small blocks in memory and large ones in a temp file, deleted on close")
  void holds() throws Exception {
    Spool spool = new Spool(dir);
    byte[] small = BlockStoreContract.bytes(Spool.IN_MEMORY, 1);
    try (Spool.Spooled s = spool.receive(BlockStoreContract.sha256(small), small.length, new ByteArrayInputStream(small), true)) {
      assertThat(files()).isZero();
      assertThat(s.open(0).readAllBytes()).isEqualTo(small);
      assertThat(s.md5()).hasSize(16);
    }
    byte[] large = BlockStoreContract.bytes(Spool.IN_MEMORY + 1, 2);
    try (Spool.Spooled s = spool.receive(BlockStoreContract.sha256(large), large.length, new ByteArrayInputStream(large), false)) {
      assertThat(files()).isOne();
      assertThat(s.open(Spool.IN_MEMORY).readAllBytes()).containsExactly(large[Spool.IN_MEMORY]);
      assertThat(s.open(0).readAllBytes()).isEqualTo(large);
    }
    assertThat(files()).isZero();
  }

  @Test
  @DisplayName("a copy handed over reads on after its temp file is gone")
  void handOver() throws Exception {
    Spool spool = new Spool(dir);
    byte[] data = BlockStoreContract.bytes(Spool.IN_MEMORY * 3, 3);
    try (InputStream in = spool.readAll(new ByteArrayInputStream(data), data.length).handOver(5)) {
      assertThat(files()).isZero();
      assertThat(in.readAllBytes()).hasSize(data.length - 5);
    }
  }

  @Test
  @DisplayName("leaves nothing behind when an upload ends early, does not match or a stored copy is too long")
  void failures() throws Exception {
    Spool spool = new Spool(dir);
    byte[] data = BlockStoreContract.bytes(Spool.IN_MEMORY * 2, 4);
    String hash = BlockStoreContract.sha256(data);
    assertThatThrownBy(() -> spool.receive(hash, data.length + 1, new ByteArrayInputStream(data), false))
        .isInstanceOf(EOFException.class)
        .hasMessage("block upload ended after " + data.length + " of " + (data.length + 1) + " bytes");
    assertThatThrownBy(() -> spool.receive(hash.replace(hash.charAt(0), hash.charAt(0) == 'a' ? 'b' : 'a'), data.length, new ByteArrayInputStream(data), false))
        .isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> spool.readAll(new ByteArrayInputStream(data), data.length - 1))
        .hasMessage("a stored block is longer than " + (data.length - 1) + " bytes");
    assertThat(files()).isZero();
    try (Spool.Spooled exact = spool.readAll(new ByteArrayInputStream(data), data.length)) {
      assertThat(exact.sha256()).isEqualTo(hash);
      assertThat(exact.length()).isEqualTo(data.length);
    }
  }

  @Test
  @DisplayName("removes what crashed requests left an hour ago or more, not younger files")
  void stale() throws Exception {
    Path old = Files.write(dir.resolve("old.part"), new byte[1]);
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(DiskBlockStore.STALE_PART).minusSeconds(60)));
    Path young = Files.write(dir.resolve("young.part"), new byte[1]);
    new Spool(dir);
    assertThat(old).doesNotExist();
    assertThat(young).exists();
  }
}
