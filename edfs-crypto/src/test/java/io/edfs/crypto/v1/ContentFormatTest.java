package io.edfs.crypto.v1;

import static io.edfs.crypto.v1.Fixtures.firstSegmentPlaintext;
import static io.edfs.crypto.v1.Fixtures.id;
import static io.edfs.crypto.v1.Fixtures.segmentPlaintext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ContentFormat")
class ContentFormatTest {
  private final UUID fileId = id();
  private final UUID versionId = id();

  /** 0, 1, and every segment boundary ±1 for the first few segments. */
  private static Set<Integer> interestingSizes(int segmentSize) {
    Set<Integer> sizes = new TreeSet<>(List.of(0, 1, 2));
    for (int k = 0; k < 4; k++) {
      int boundary = firstSegmentPlaintext(segmentSize) + k * segmentPlaintext(segmentSize);
      sizes.addAll(List.of(boundary - 1, boundary, boundary + 1));
    }
    return sizes;
  }

  @Nested
  @DisplayName("ciphertextSize and plaintextSize")
  class Sizes {
    @ParameterizedTest(name = "segment size {0}")
    @ValueSource(ints = {ContentFormat.MIN_SEGMENT_SIZE, 5000, ContentFormat.DEFAULT_SEGMENT_SIZE})
    @DisplayName("match what the real streams produce, around every segment boundary")
    void matchRealStreams(int segmentSize) throws IOException {
      try (NodeSecret key = NodeSecret.random()) {
        for (int size : interestingSizes(segmentSize)) {
          byte[] plaintext = Fixtures.bytes(size, size);
          byte[] ciphertext = Fixtures.encrypt(key, plaintext, fileId, versionId, segmentSize);
          assertThat(ContentFormat.ciphertextSize(size, segmentSize))
              .as("ciphertext size of %d bytes", size)
              .isEqualTo(ciphertext.length);
          assertThat(ContentFormat.plaintextSize(ciphertext.length, segmentSize)).isEqualTo(size);
          assertThat(Fixtures.decrypt(key, ciphertext, fileId, versionId, segmentSize))
              .isEqualTo(plaintext);
        }
      }
    }

    @Test
    @DisplayName("have the documented overhead: a 40-byte header and a 16-byte tag per segment")
    void overhead() {
      assertThat(ContentFormat.ciphertextSize(0, 4096)).isEqualTo(56);
      assertThat(ContentFormat.ciphertextSize(4040, 4096)).isEqualTo(4096);
      assertThat(ContentFormat.ciphertextSize(4041, 4096)).isEqualTo(4096 + 17);
      long gib = 1L << 30;
      long segments = (gib + 40 + 65519) / 65520;
      assertThat(ContentFormat.ciphertextSize(gib, 65536)).isEqualTo(gib + 40 + 16 * segments);
    }

    @Test
    @DisplayName("are exact inverses: every ciphertext size is valid iff some plaintext maps to it")
    void exactInverse() {
      int segmentSize = ContentFormat.MIN_SEGMENT_SIZE;
      Set<Long> images = new HashSet<>();
      for (long p = 0; p < 4 * segmentSize; p++) {
        long c = ContentFormat.ciphertextSize(p, segmentSize);
        assertThat(images.add(c)).as("ciphertext size of %d is unique", p).isTrue();
        assertThat(ContentFormat.plaintextSize(c, segmentSize)).isEqualTo(p);
      }
      List<Long> rejected = new ArrayList<>();
      for (long c = -1; c < 4 * segmentSize; c++) {
        if (!images.contains(c)) {
          long size = c;
          assertThatThrownBy(() -> ContentFormat.plaintextSize(size, segmentSize))
              .isInstanceOf(CryptoException.class)
              .hasMessageContaining("no content ciphertext is " + c + " bytes");
          rejected.add(c);
        }
      }
      // too short for header and tag, and one lone tag after each full segment
      assertThat(rejected).contains(-1L, 0L, 55L, 4096L + 16, 2 * 4096L + 16);
    }

    @Test
    @DisplayName("hold for very large files")
    void large() {
      long tib = 1L << 40;
      long c = ContentFormat.ciphertextSize(tib, ContentFormat.DEFAULT_SEGMENT_SIZE);
      assertThat(ContentFormat.plaintextSize(c, ContentFormat.DEFAULT_SEGMENT_SIZE)).isEqualTo(tib);
      assertThatThrownBy(() -> ContentFormat.plaintextSize(Long.MAX_VALUE, 4096))
          .isInstanceOf(CryptoException.class);
    }

    @Test
    @DisplayName("reject a negative or impossibly large plaintext size")
    void badPlaintextSize() {
      assertThatThrownBy(() -> ContentFormat.ciphertextSize(-1, 4096))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("plaintextSize is -1");
      assertThatThrownBy(() -> ContentFormat.ciphertextSize(Long.MAX_VALUE, 4096))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("segment size")
  class SegmentSize {
    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 4095, 8 * 1024 * 1024 + 1, Integer.MAX_VALUE})
    @DisplayName("is checked by every method that takes one")
    void outOfRange(int segmentSize) {
      try (NodeSecret key = NodeSecret.random()) {
        String message = "segmentSize is " + segmentSize + "; allowed 4096..8388608";
        assertThatThrownBy(() -> ContentFormat.ciphertextSize(10, segmentSize))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
        assertThatThrownBy(() -> ContentFormat.plaintextSize(100, segmentSize))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
        assertThatThrownBy(
                () ->
                    key.encryptingStream(
                        new ByteArrayOutputStream(), fileId, versionId, segmentSize))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
        assertThatThrownBy(
                () ->
                    key.decryptingStream(
                        new ByteArrayInputStream(new byte[100]), fileId, versionId, segmentSize))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
      }
    }

    @Test
    @DisplayName("works at the largest allowed size")
    void largest() throws IOException {
      try (NodeSecret key = NodeSecret.random()) {
        int segmentSize = ContentFormat.MAX_SEGMENT_SIZE;
        byte[] plaintext = Fixtures.bytes(segmentSize + 1000, 7);
        byte[] ciphertext = Fixtures.encrypt(key, plaintext, fileId, versionId, segmentSize);
        assertThat(ciphertext)
            .hasSize((int) ContentFormat.ciphertextSize(plaintext.length, segmentSize));
        assertThat(Fixtures.decrypt(key, ciphertext, fileId, versionId, segmentSize))
            .isEqualTo(plaintext);
      }
    }
  }
}
