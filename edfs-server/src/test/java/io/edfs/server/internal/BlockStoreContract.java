package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.ErrorType;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What every {@link BlockStore} must do; one subclass per implementation. */
abstract class BlockStoreContract {
  /** Larger than what stores hold in memory while checking an upload (see {@link Spool}). */
  static final int LARGE = 3 << 20;

  /** A fresh, empty store. */
  abstract BlockStore store() throws Exception;

  /** Stores {@code data} under its hash and returns the hash. */
  static String put(BlockStore store, byte[] data) throws Exception {
    String hash = sha256(data);
    store.put(hash, data.length, new ByteArrayInputStream(data));
    return hash;
  }

  static byte[] read(BlockStore store, String hash, long offset) throws Exception {
    try (InputStream in = store.open(hash, offset)) {
      return in.readAllBytes();
    }
  }

  /** Every stored block, by hash. */
  static Map<String, BlockStore.Stored> listing(BlockStore store) throws Exception {
    Map<String, BlockStore.Stored> all = new ConcurrentHashMap<>();
    store.list(
        b -> {
          if (all.put(b.hash(), b) != null) {
            throw new AssertionError("listed twice: " + b.hash());
          }
        });
    return all;
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return sha256Unchecked(b);
  }

  static String sha256Unchecked(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

  @Test
  @DisplayName("blocks around the in-memory limit and a large one read back whole and from offsets")
  void sizes() throws Exception {
    BlockStore store = store();
    for (int n : new int[] {1, Spool.IN_MEMORY, Spool.IN_MEMORY + 1, LARGE}) {
      byte[] data = bytes(n, n);
      String hash = put(store, data);
      assertThat(read(store, hash, 0)).as("%d bytes", n).isEqualTo(data);
      assertThat(read(store, hash, n - 1)).as("last byte of %d", n).containsExactly(data[n - 1]);
    }
  }

  @Test
  @DisplayName("reading from the end of a block gives nothing, and the stream ends where the block does")
  void endOfBlock() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(5000, 8);
    String hash = put(store, data);
    assertThat(read(store, hash, data.length)).isEmpty();
    try (InputStream in = store.open(hash, 4990)) {
      assertThat(in.readNBytes(100)).hasSize(10);
      assertThat(in.read()).isEqualTo(-1);
      assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
    }
  }

  @Test
  @DisplayName("a stream closed before the end leaves the store working")
  void earlyClose() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(LARGE, 9);
    String hash = put(store, data);
    for (int i = 0; i < 20; i++) {
      try (InputStream in = store.open(hash, i)) {
        assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOfRange(data, i, i + 10));
      }
    }
    assertThat(read(store, hash, 0)).isEqualTo(data);
  }

  @Test
  @DisplayName("a large block that does not match its hash is refused and not stored")
  void largeMismatch() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(LARGE, 11);
    String wrong = sha256(bytes(10, 12));
    assertThatThrownBy(() -> store.put(wrong, data.length, new ByteArrayInputStream(data)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.HASH_MISMATCH));
    assertThat(store.contains(wrong)).isFalse();
    assertThat(listing(store)).isEmpty();
  }

  @Test
  @DisplayName("a large upload that ends early stores nothing; one with bytes to spare reads only its length")
  void largeLength() throws Exception {
    BlockStore store = store();
    byte[] data = bytes(LARGE, 13);
    String hash = sha256(data);
    assertThatThrownBy(() -> store.put(hash, data.length, new ByteArrayInputStream(data, 0, LARGE - 1)))
        .isInstanceOf(EOFException.class);
    assertThat(store.contains(hash)).isFalse();
    ByteArrayInputStream longer = new ByteArrayInputStream(Arrays.copyOf(data, LARGE + 7));
    store.put(hash, data.length, longer);
    assertThat(longer.available()).isEqualTo(7);
    assertThat(read(store, hash, 0)).isEqualTo(data);
  }

  @Test
  @DisplayName("has no marker until one is written; a marker reads back, can be replaced, and is never listed as a block")
  void marker() throws Exception {
    BlockStore store = store();
    assertThat(store.readMarker()).isEmpty();
    String hash = put(store, bytes(100, 9));
    store.writeMarker("00112233445566778899aabbccddeeff");
    assertThat(store.readMarker()).contains("00112233445566778899aabbccddeeff");
    store.writeMarker("ffeeddccbbaa99887766554433221100");
    assertThat(store.readMarker()).contains("ffeeddccbbaa99887766554433221100");
    assertThat(listing(store)).containsOnlyKeys(hash);
  }

  @Test
  @DisplayName("lists every stored block once, with its length and a recent time")
  void list() throws Exception {
    BlockStore store = store();
    assertThat(listing(store)).isEmpty();
    Instant before = Instant.now().minus(Duration.ofMinutes(5));
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      hashes.add(put(store, bytes(100 + i, 20 + i)));
    }
    put(store, bytes(100, 20)); // the first again
    Map<String, BlockStore.Stored> all = listing(store);
    assertThat(all).containsOnlyKeys(hashes);
    for (int i = 0; i < 5; i++) {
      BlockStore.Stored b = all.get(hashes.get(i));
      assertThat(b.length()).isEqualTo(100 + i);
      assertThat(b.modified()).isAfter(before).isBefore(Instant.now().plus(Duration.ofMinutes(5)));
    }
  }

  @Test
  @DisplayName("delete removes a block from reads and listings; deleting a missing block is fine")
  void delete() throws Exception {
    BlockStore store = store();
    String keep = put(store, bytes(300, 30));
    String gone = put(store, bytes(300, 31));
    store.delete(gone);
    store.delete(gone);
    store.delete(sha256(bytes(1, 32)));
    assertThat(store.contains(gone)).isFalse();
    assertThatThrownBy(() -> store.open(gone, 0)).isInstanceOf(NoSuchFileException.class);
    assertThat(listing(store)).containsOnlyKeys(keep);
    assertThat(read(store, keep, 0)).isEqualTo(bytes(300, 30));
    put(store, bytes(300, 31)); // and it may come back
    assertThat(store.contains(gone)).isTrue();
  }

  @Test
  @DisplayName("8 threads putting the same and different blocks at once all succeed")
  void concurrent() throws Exception {
    BlockStore store = store();
    byte[] shared = bytes(Spool.IN_MEMORY + 1000, 40);
    String sharedHash = sha256(shared);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> own = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = 41 + t;
        own.add(
            pool.submit(
                () -> {
                  go.await();
                  store.put(sharedHash, shared.length, new ByteArrayInputStream(shared));
                  byte[] mine = bytes(sizeFor(seed), seed);
                  String h = put(store, mine);
                  store.put(sharedHash, shared.length, new ByteArrayInputStream(shared));
                  return h;
                }));
      }
      go.countDown();
      List<String> hashes = new ArrayList<>();
      for (Future<String> f : own) {
        hashes.add(f.get());
      }
      assertThat(read(store, sharedHash, 0)).isEqualTo(shared);
      for (int t = 0; t < threads; t++) {
        assertThat(read(store, hashes.get(t), 0)).isEqualTo(bytes(sizeFor(41 + t), 41 + t));
      }
      hashes.add(sharedHash);
      assertThat(listing(store)).containsOnlyKeys(hashes);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Sizes on both sides of the in-memory limit. */
  private static int sizeFor(int seed) {
    return seed % 2 == 0 ? 10_000 + seed : Spool.IN_MEMORY * 2 + seed;
  }

  @Test
  @DisplayName("says where it is")
  void describes() throws Exception {
    assertThat(store().describe()).isNotBlank();
  }
}
