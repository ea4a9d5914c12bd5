package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a {@link MirrorBlockStore} does beyond any block store, whatever its two sides: tests damage
 * one side's copy directly (the file a folder or the S3 server keeps it in) and check what reads
 * and repairs make of it.
 */
abstract class MirrorBlockStoreContract extends BlockStoreContract {
  @Override
  abstract MirrorBlockStore store() throws Exception;

  /** The file holding side {@code side}'s copy of block {@code hash} (0 = the first side). */
  abstract Path copy(MirrorBlockStore store, int side, String hash);

  /** Flips one byte of a copy: same length, wrong hash. */
  void corrupt(MirrorBlockStore store, int side, String hash) throws IOException {
    Path f = copy(store, side, hash);
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 1;
    Files.write(f, b);
  }

  void remove(MirrorBlockStore store, int side, String hash) throws IOException {
    Files.delete(copy(store, side, hash));
  }

  @Test
  @DisplayName("a stored block is on both sides, byte for byte")
  void bothSides() throws Exception {
    MirrorBlockStore store = store();
    byte[] small = bytes(1000, 1);
    byte[] large = bytes(LARGE, 2);
    for (byte[] data : List.of(small, large)) {
      String hash = put(store, data);
      assertThat(copy(store, 0, hash)).hasBinaryContent(data);
      assertThat(copy(store, 1, hash)).hasBinaryContent(data);
    }
  }

  @Test
  @DisplayName("reads succeed, whole and from an offset, when either side lacks the block")
  void missingOnOneSide() throws Exception {
    MirrorBlockStore store = store();
    for (int side = 0; side < 2; side++) {
      byte[] data = bytes(LARGE, 10 + side);
      String hash = put(store, data);
      remove(store, side, hash);
      assertThat(store.contains(hash)).isTrue();
      assertThat(read(store, hash, 0)).isEqualTo(data);
      assertThat(read(store, hash, 12345)).isEqualTo(Arrays.copyOfRange(data, 12345, LARGE));
    }
  }

  @Test
  @DisplayName("reads skip a corrupt or truncated copy on either side, whatever the offset")
  void corruptOnOneSide() throws Exception {
    MirrorBlockStore store = store();
    for (int side = 0; side < 2; side++) {
      byte[] data = bytes(LARGE, 20 + side);
      String hash = put(store, data);
      corrupt(store, side, hash);
      assertThat(read(store, hash, 0)).isEqualTo(data);
      assertThat(read(store, hash, LARGE - 10)).isEqualTo(Arrays.copyOfRange(data, LARGE - 10, LARGE));
    }
    byte[] small = bytes(5000, 22);
    String hash = put(store, small);
    Path first = copy(store, 0, hash);
    Files.write(first, Arrays.copyOf(small, 4000));
    assertThat(read(store, hash, 0)).isEqualTo(small);
    Files.write(first, Arrays.copyOf(small, 6000)); // too long: padded with zeros
    assertThat(read(store, hash, 4999)).containsExactly(small[4999]);
  }

  @Test
  @DisplayName("a block without an intact copy is an error; one on neither side is missing")
  void noGoodCopy() throws Exception {
    MirrorBlockStore store = store();
    String bad = put(store, bytes(800, 30));
    corrupt(store, 0, bad);
    remove(store, 1, bad);
    assertThatThrownBy(() -> store.open(bad, 0))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no intact copy of block " + bad)
        .hasMessageContaining("corrupt (its bytes hash to ")
        .hasMessageContaining("missing");
    String gone = put(store, bytes(800, 31));
    remove(store, 0, gone);
    remove(store, 1, gone);
    assertThat(store.contains(gone)).isFalse();
    assertThatThrownBy(() -> store.open(gone, 0)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  @DisplayName("lists the blocks of both sides, each once; contains and delete look at both")
  void union() throws Exception {
    MirrorBlockStore store = store();
    String both = put(store, bytes(100, 40));
    String onlyFirst = put(store.first(), bytes(101, 41));
    String onlySecond = put(store.second(), bytes(102, 42));
    assertThat(listing(store)).containsOnlyKeys(both, onlyFirst, onlySecond);
    assertThat(listing(store).get(onlySecond).length()).isEqualTo(102);
    assertThat(store.contains(onlyFirst)).isTrue();
    assertThat(store.contains(onlySecond)).isTrue();
    for (String h : List.of(both, onlyFirst, onlySecond)) {
      store.delete(h);
    }
    assertThat(listing(store.first())).isEmpty();
    assertThat(listing(store.second())).isEmpty();
  }

  @Test
  @DisplayName("repair copies what either side lacks, and then finds nothing to do")
  void repairMissing() throws Exception {
    MirrorBlockStore store = store();
    byte[] a = bytes(LARGE, 50);
    byte[] b = bytes(600, 51);
    byte[] c = bytes(700, 52);
    byte[] d = bytes(800, 53);
    String ha = put(store, a);
    String hb = put(store.first(), b);
    String hc = put(store.second(), c);
    String hd = put(store, d);
    remove(store, 0, hd);
    MirrorBlockStore.Repair r = store.repair(false);
    assertThat(r).isEqualTo(new MirrorBlockStore.Repair(4, 1, 2, 0, List.of()));
    for (int side = 0; side < 2; side++) {
      assertThat(copy(store, side, ha)).hasBinaryContent(a);
      assertThat(copy(store, side, hb)).hasBinaryContent(b);
      assertThat(copy(store, side, hc)).hasBinaryContent(c);
      assertThat(copy(store, side, hd)).hasBinaryContent(d);
    }
    assertThat(store.repair(true)).isEqualTo(new MirrorBlockStore.Repair(4, 0, 0, 0, List.of()));
  }

  @Test
  @DisplayName("repair, when verifying, replaces corrupt copies with the good ones and names blocks with none")
  void repairCorrupt() throws Exception {
    MirrorBlockStore store = store();
    byte[] e = bytes(LARGE, 60);
    byte[] f = bytes(900, 61);
    byte[] g = bytes(900, 62);
    byte[] h = bytes(900, 63);
    byte[] only = bytes(900, 64);
    String he = put(store, e);
    String hf = put(store, f);
    String hg = put(store, g);
    String hh = put(store, h);
    String honly = put(store.second(), only);
    corrupt(store, 0, he);
    corrupt(store, 1, hf);
    corrupt(store, 0, hg);
    corrupt(store, 1, hg);
    corrupt(store, 1, honly); // the only copy, corrupt: not copied to the first side
    // without verifying, only missing copies count
    assertThat(store.repair(false)).isEqualTo(new MirrorBlockStore.Repair(5, 0, 0, 0, List.of(honly)));
    assertThat(copy(store, 0, honly)).doesNotExist();
    MirrorBlockStore.Repair r = store.repair(true);
    assertThat(r.checked()).isEqualTo(5);
    assertThat(r.corruptReplaced()).isEqualTo(2);
    assertThat(r.unrepairable()).containsExactlyInAnyOrder(hg, honly);
    for (int side = 0; side < 2; side++) {
      assertThat(copy(store, side, he)).hasBinaryContent(e);
      assertThat(copy(store, side, hf)).hasBinaryContent(f);
      assertThat(copy(store, side, hh)).hasBinaryContent(h);
    }
    assertThat(read(store, he, 0)).isEqualTo(e);
  }
}
