package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BlockHashSet")
class BlockHashSetTest {
  @Test
  @DisplayName("holds what was added, through many resizes, and nothing else")
  void addContains() {
    Random random = new Random(1);
    BlockHashSet set = new BlockHashSet();
    Set<String> added = new HashSet<>();
    byte[] b = new byte[32];
    for (int i = 0; i < 50_000; i++) {
      random.nextBytes(b);
      String h = HexFormat.of().formatHex(b);
      assertThat(set.add(h)).isTrue();
      added.add(h);
    }
    assertThat(set.size()).isEqualTo(50_000);
    for (String h : added) {
      assertThat(set.contains(h)).isTrue();
      assertThat(set.add(h)).isFalse();
    }
    for (int i = 0; i < 1000; i++) {
      random.nextBytes(b);
      assertThat(set.contains(HexFormat.of().formatHex(b))).isFalse();
    }
  }

  @Test
  @DisplayName("tells apart hashes that differ only after their first 64 bits, and holds the all-zero one")
  void edges() {
    BlockHashSet set = new BlockHashSet();
    String zero = "0".repeat(64);
    String a = "ab".repeat(8) + "0".repeat(48);
    String b = "ab".repeat(8) + "1" + "0".repeat(47);
    assertThat(set.contains(zero)).isFalse();
    assertThat(set.add(zero)).isTrue();
    assertThat(set.add(zero)).isFalse();
    assertThat(set.add(a)).isTrue();
    assertThat(set.contains(b)).isFalse();
    assertThat(set.add(b)).isTrue();
    assertThat(set.contains(zero)).isTrue();
    assertThat(set.size()).isEqualTo(3);
  }
}
