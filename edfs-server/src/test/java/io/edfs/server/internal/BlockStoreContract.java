package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.ErrorType;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What every {@link BlockStore} must do; one subclass per implementation. */
abstract class BlockStoreContract {
  /** A fresh, empty store. */
  abstract BlockStore store() throws Exception;

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  @DisplayName("stores a block and reads it back, from any offset")
  void roundTrip() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(200_000, 1);
    String hash = sha256(data);
    assertThat(store.contains(hash)).isFalse();
    store.put(hash, data.length, new ByteArrayInputStream(data));
    assertThat(store.contains(hash)).isTrue();
    try (InputStream in = store.open(hash, 0)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    try (InputStream in = store.open(hash, 150_000)) {
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 150_000, 200_000));
    }
  }

  @Test
  @DisplayName("storing the same block twice is harmless")
  void twice() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(1000, 2);
    String hash = sha256(data);
    store.put(hash, data.length, new ByteArrayInputStream(data));
    store.put(hash, data.length, new ByteArrayInputStream(data));
    try (InputStream in = store.open(hash, 0)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  @DisplayName("content that does not match the hash is refused and not stored")
  void mismatch() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(1000, 3);
    String wrong = sha256(bytes(1000, 4));
    assertThatThrownBy(() -> store.put(wrong, data.length, new ByteArrayInputStream(data)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.HASH_MISMATCH));
    assertThat(store.contains(wrong)).isFalse();
  }

  @Test
  @DisplayName("a stream that ends early stores nothing")
  void truncated() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(100_000, 5);
    String hash = sha256(data);
    assertThatThrownBy(
            () -> store.put(hash, data.length, new ByteArrayInputStream(data, 0, 50_000)))
        .isInstanceOf(EOFException.class);
    assertThat(store.contains(hash)).isFalse();
  }

  @Test
  @DisplayName("reads exactly the given length, leaving the rest of the stream")
  void exactLength() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(1000, 6);
    byte[] withTrailer = java.util.Arrays.copyOf(data, 1010);
    String hash = sha256(data);
    ByteArrayInputStream in = new ByteArrayInputStream(withTrailer);
    store.put(hash, data.length, in);
    assertThat(in.available()).isEqualTo(10);
  }

  @Test
  @DisplayName("opening a block that is not stored fails")
  void missing() throws Exception {
    BlockStore store = store();
    assertThatThrownBy(() -> store.open(sha256(bytes(1, 7)), 0))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
  }
}
