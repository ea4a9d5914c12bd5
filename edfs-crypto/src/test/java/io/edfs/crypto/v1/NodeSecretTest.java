package io.edfs.crypto.v1;

import static io.edfs.crypto.v1.Fixtures.MASKS;
import static io.edfs.crypto.v1.Fixtures.SMALL_SEGMENT;
import static io.edfs.crypto.v1.Fixtures.concat;
import static io.edfs.crypto.v1.Fixtures.firstSegmentPlaintext;
import static io.edfs.crypto.v1.Fixtures.flipped;
import static io.edfs.crypto.v1.Fixtures.id;
import static io.edfs.crypto.v1.Fixtures.segmentPlaintext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("NodeSecret")
class NodeSecretTest {
  private final NodeSecret folder = NodeSecret.random();
  private final UUID folderId = id();

  @AfterEach
  void wipe() {
    folder.close();
  }

  @Nested
  @DisplayName("as a secret")
  class Secret {
    @Test
    @DisplayName("is 32 random bytes, different every time")
    void random() {
      try (NodeSecret other = NodeSecret.random()) {
        assertThat(folder.rawBytes()).hasSize(NodeSecret.BYTES).isNotEqualTo(other.rawBytes());
      }
    }

    @Test
    @DisplayName("copies its bytes in and out")
    void copies() {
      byte[] raw = Fixtures.bytes(32, 1);
      try (NodeSecret secret = NodeSecret.fromBytes(raw)) {
        raw[0] ^= 1;
        byte[] out = secret.rawBytes();
        out[1] ^= 1;
        assertThat(secret.rawBytes()).isEqualTo(Fixtures.bytes(32, 1));
      }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 33, 64})
    @DisplayName("must be exactly 32 bytes")
    void length(int length) {
      assertThatThrownBy(() -> NodeSecret.fromBytes(new byte[length]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("32 bytes, not " + length);
    }

    @Test
    @DisplayName("is wiped by close, and every later use throws IllegalStateException")
    void close() throws Exception {
      NodeSecret secret = NodeSecret.fromBytes(Fixtures.bytes(32, 2));
      byte[] name = secret.encryptChildName("a", folderId);
      byte[] wrapped = secret.wrapChild(folder, id(), folderId, name);
      secret.encryptingStream(OutputStream.nullOutputStream(), id(), id(), SMALL_SEGMENT).close();
      secret.close();
      secret.close(); // idempotent

      Field field = NodeSecret.class.getDeclaredField("secret");
      field.setAccessible(true);
      assertThat((byte[]) field.get(secret)).containsOnly(0);
      List<ThrowingCallable> uses =
          List.of(
              secret::rawBytes,
              () -> secret.encryptChildName("a", folderId),
              () -> secret.decryptChildName(name, folderId),
              () -> secret.wrapChild(folder, id(), folderId, name),
              () -> secret.unwrapChild(wrapped, id(), folderId, name),
              () -> folder.wrapChild(secret, id(), folderId, name),
              () ->
                  secret.encryptingStream(
                      OutputStream.nullOutputStream(), id(), id(), SMALL_SEGMENT),
              () ->
                  secret.decryptingStream(
                      InputStream.nullInputStream(), id(), id(), SMALL_SEGMENT));
      for (ThrowingCallable use : uses) {
        assertThatThrownBy(use)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("node secret is closed");
      }
    }

    @Test
    @DisplayName("derives its keys once, safely, from many threads")
    void concurrent() throws Exception {
      byte[] expected;
      try (NodeSecret reference = NodeSecret.fromBytes(folder.rawBytes())) {
        expected = reference.encryptChildName("shared", folderId);
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          results.add(pool.submit(() -> folder.encryptChildName("shared", folderId)));
        }
        for (Future<byte[]> result : results) {
          assertThat(result.get()).isEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  @DisplayName("encrypting child names")
  class ChildNames {
    @ParameterizedTest
    @ValueSource(strings = {"a", "Quarterly report (final).pdf", "日本語", "😀 emoji", ".bashrc"})
    @DisplayName("round-trips them")
    void roundTrip(String name) {
      assertThat(folder.decryptChildName(folder.encryptChildName(name, folderId), folderId))
          .isEqualTo(name);
    }

    @Test
    @DisplayName("is deterministic, so the server can keep names unique")
    void deterministic() {
      assertThat(folder.encryptChildName("x", folderId))
          .isEqualTo(folder.encryptChildName("x", folderId))
          .isNotEqualTo(folder.encryptChildName("y", folderId));
    }

    @Test
    @DisplayName("gives NFC and NFD spellings of a name the same bytes, and decrypts to NFC")
    void unicodeEquivalence() {
      byte[] nfc = folder.encryptChildName("Caf\u00e9", folderId);
      assertThat(folder.encryptChildName("Cafe\u0301", folderId)).isEqualTo(nfc);
      assertThat(folder.decryptChildName(nfc, folderId)).isEqualTo("Caf\u00e9");
    }

    @Test
    @DisplayName("gives the same name different bytes under another folder or key")
    void boundToParent() {
      byte[] here = folder.encryptChildName("x", folderId);
      assertThat(folder.encryptChildName("x", id())).isNotEqualTo(here);
      try (NodeSecret other = NodeSecret.random()) {
        assertThat(other.encryptChildName("x", folderId)).isNotEqualTo(here);
      }
    }

    @Test
    @DisplayName("validates before encrypting")
    void validates() {
      assertThatThrownBy(() -> folder.encryptChildName("a/b", folderId))
          .isInstanceOf(InvalidNameException.class)
          .hasMessage("name must not contain '/'");
    }

    @Test
    @DisplayName("detects a name moved under another parent or decrypted with another key")
    void wrongContext() {
      byte[] enc = folder.encryptChildName("x", folderId);
      assertThatThrownBy(() -> folder.decryptChildName(enc, id()))
          .isInstanceOf(TamperedException.class);
      try (NodeSecret other = NodeSecret.random()) {
        assertThatThrownBy(() -> other.decryptChildName(enc, folderId))
            .isInstanceOf(TamperedException.class);
      }
    }

    @Test
    @DisplayName("detects any changed byte, and truncation")
    void tamper() {
      byte[] enc = folder.encryptChildName("a name", folderId);
      for (int i = 0; i < enc.length; i++) {
        for (int mask : MASKS) {
          byte[] bad = flipped(enc, i, mask);
          assertThatThrownBy(() -> folder.decryptChildName(bad, folderId))
              .as("byte %d ^ %x", i, mask)
              .isInstanceOf(TamperedException.class);
        }
      }
      for (int length = 0; length < enc.length; length++) {
        byte[] cut = Arrays.copyOf(enc, length);
        assertThatThrownBy(() -> folder.decryptChildName(cut, folderId))
            .isInstanceOf(TamperedException.class);
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a/b", "", "Cafe\u0301", "\u001b[2Jx", "a\u009bb", "a\u007f"})
    @DisplayName("refuses an authentic but invalid name written by a hostile client")
    void hostileWriter(String name) throws Exception {
      byte[] nameKey = Ciphers.hkdf(folder.rawBytes(), "edfs/v1/name", 64);
      byte[] enc =
          Ciphers.aesSiv(nameKey)
              .encryptDeterministically(
                  name.getBytes(StandardCharsets.UTF_8),
                  ("edfs/v1/name|" + folderId).getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> folder.decryptChildName(enc, folderId))
          .isInstanceOf(InvalidNameException.class);
    }
  }

  @Nested
  @DisplayName("wrapping child secrets")
  class Wrapping {
    private final NodeSecret child = NodeSecret.random();
    private final UUID childId = id();

    @AfterEach
    void wipeChild() {
      child.close();
    }

    private final byte[] childName = folder.encryptChildName("child", folderId);

    @Test
    @DisplayName("round-trips them as nonce || ciphertext || tag")
    void roundTrip() {
      byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
      assertThat(wrapped).hasSize(12 + 32 + 16);
      try (NodeSecret unwrapped = folder.unwrapChild(wrapped, childId, folderId, childName)) {
        assertThat(unwrapped.rawBytes()).isEqualTo(child.rawBytes());
      }
    }

    @Test
    @DisplayName("uses associated data edfs/v1/key|<childId>|<parentId>|<hex SHA-256 of encName>")
    void associatedData() throws Exception {
      byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
      String digest =
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(childName));
      byte[] ad =
          ("edfs/v1/key|" + childId + "|" + folderId + "|" + digest)
              .getBytes(StandardCharsets.UTF_8);
      byte[] wrapKey = Ciphers.hkdf(folder.rawBytes(), "edfs/v1/wrap", 32);
      assertThat(Ciphers.aesGcm(wrapKey).decrypt(wrapped, ad)).isEqualTo(child.rawBytes());
    }

    @Test
    @DisplayName("uses a fresh nonce every time")
    void randomised() {
      assertThat(folder.wrapChild(child, childId, folderId, childName))
          .isNotEqualTo(folder.wrapChild(child, childId, folderId, childName));
    }

    @Test
    @DisplayName("detects a key presented for another child, another parent, or swapped ids")
    void wrongIds() {
      byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, id(), folderId, childName))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, id(), childName))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, folderId, childId, childName))
          .isInstanceOf(TamperedException.class);
      try (NodeSecret other = NodeSecret.random()) {
        assertThatThrownBy(() -> other.unwrapChild(wrapped, childId, folderId, childName))
            .isInstanceOf(TamperedException.class);
      }
    }

    @Test
    @DisplayName("detects a key presented with another encrypted name, or a changed one")
    void wrongName() {
      byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
      byte[] otherName = folder.encryptChildName("other", folderId);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, folderId, otherName))
          .isInstanceOf(TamperedException.class)
          .hasMessageContaining("key of " + childId);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, folderId, new byte[0]))
          .isInstanceOf(TamperedException.class);
      for (int i = 0; i < childName.length; i++) {
        byte[] bad = flipped(childName, i, 0x01);
        assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, folderId, bad))
            .as("name byte %d", i)
            .isInstanceOf(TamperedException.class);
      }
      byte[] longer = Arrays.copyOf(childName, childName.length + 1);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, folderId, longer))
          .isInstanceOf(TamperedException.class);
    }

    @Test
    @DisplayName("detects the encrypted names of two siblings swapped by the server")
    void swappedNames() {
      UUID otherId = id();
      byte[] otherName = folder.encryptChildName("other", folderId);
      try (NodeSecret other = NodeSecret.random()) {
        byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
        byte[] otherWrapped = folder.wrapChild(other, otherId, folderId, otherName);
        // each name still decrypts (AES-SIV binds it to the parent only) ...
        assertThat(folder.decryptChildName(otherName, folderId)).isEqualTo("other");
        // ... but neither node's key unwraps under the other's name
        assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, folderId, otherName))
            .isInstanceOf(TamperedException.class);
        assertThatThrownBy(() -> folder.unwrapChild(otherWrapped, otherId, folderId, childName))
            .isInstanceOf(TamperedException.class);
        // a lookup of "child" answered with the sibling's id and key fails too
        assertThatThrownBy(() -> folder.unwrapChild(otherWrapped, otherId, folderId, childName))
            .isInstanceOf(TamperedException.class);
        // while the true pairs still unwrap
        try (NodeSecret a = folder.unwrapChild(wrapped, childId, folderId, childName);
            NodeSecret b = folder.unwrapChild(otherWrapped, otherId, folderId, otherName)) {
          assertThat(a.rawBytes()).isEqualTo(child.rawBytes());
          assertThat(b.rawBytes()).isEqualTo(other.rawBytes());
        }
      }
    }

    @Test
    @DisplayName("refuses a null encrypted name")
    void nullName() {
      byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
      assertThatThrownBy(() -> folder.wrapChild(child, childId, folderId, null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> folder.unwrapChild(wrapped, childId, folderId, null))
          .isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("detects any changed byte, and truncation")
    void tamper() {
      byte[] wrapped = folder.wrapChild(child, childId, folderId, childName);
      for (int i = 0; i < wrapped.length; i++) {
        for (int mask : MASKS) {
          byte[] bad = flipped(wrapped, i, mask);
          assertThatThrownBy(() -> folder.unwrapChild(bad, childId, folderId, childName))
              .as("byte %d ^ %x", i, mask)
              .isInstanceOf(TamperedException.class);
        }
      }
      for (int length = 0; length < wrapped.length; length++) {
        byte[] cut = Arrays.copyOf(wrapped, length);
        assertThatThrownBy(() -> folder.unwrapChild(cut, childId, folderId, childName))
            .isInstanceOf(TamperedException.class);
      }
    }
  }

  @Nested
  @DisplayName("streaming content")
  class Content {
    private final UUID fileId = id();
    private final UUID versionId = id();

    @Test
    @DisplayName("round-trips sizes 0, 1 and segment boundaries ±1, whatever the write sizes")
    void roundTrip() throws IOException {
      int p0 = firstSegmentPlaintext(SMALL_SEGMENT);
      int p = segmentPlaintext(SMALL_SEGMENT);
      for (int size :
          new int[] {0, 1, p0 - 1, p0, p0 + 1, p0 + p - 1, p0 + p, p0 + p + 1, 50_000}) {
        byte[] plaintext = Fixtures.bytes(size, size);
        for (int chunk : new int[] {1, 7, 4096, 5000, Integer.MAX_VALUE}) {
          if (chunk == 1 && size > 10_000) {
            continue;
          }
          byte[] ciphertext =
              Fixtures.encryptInChunks(folder, plaintext, fileId, versionId, SMALL_SEGMENT, chunk);
          assertThat(Fixtures.decrypt(folder, ciphertext, fileId, versionId, SMALL_SEGMENT))
              .as("%d bytes written %d at a time", size, chunk)
              .isEqualTo(plaintext);
        }
      }
    }

    @Test
    @DisplayName("round-trips several MiB at the default segment size, byte reads included")
    void large() throws IOException {
      int segment = ContentFormat.DEFAULT_SEGMENT_SIZE;
      byte[] plaintext = Fixtures.bytes(5 * 1024 * 1024 + 123, 42);
      byte[] ciphertext =
          Fixtures.encryptInChunks(folder, plaintext, fileId, versionId, segment, 100_000);
      assertThat(ciphertext).hasSize((int) ContentFormat.ciphertextSize(plaintext.length, segment));
      assertThat(Fixtures.decrypt(folder, ciphertext, fileId, versionId, segment))
          .isEqualTo(plaintext);

      try (InputStream in =
          folder.decryptingStream(
              new ByteArrayInputStream(ciphertext), fileId, versionId, segment)) {
        for (int i = 0; i < 1000; i++) {
          assertThat(in.read()).isEqualTo(plaintext[i] & 0xff);
        }
        assertThat(in.skip(plaintext.length - 1001)).isEqualTo(plaintext.length - 1001);
        assertThat(in.read()).isEqualTo(plaintext[plaintext.length - 1] & 0xff);
        assertThat(in.read()).isEqualTo(-1);
      }
    }

    @Test
    @DisplayName("encrypts the same plaintext differently every time")
    void randomised() throws IOException {
      byte[] plaintext = Fixtures.bytes(100, 1);
      assertThat(Fixtures.encrypt(folder, plaintext, fileId, versionId, SMALL_SEGMENT))
          .isNotEqualTo(Fixtures.encrypt(folder, plaintext, fileId, versionId, SMALL_SEGMENT));
    }

    @Test
    @DisplayName("closes the ciphertext stream when closed")
    void closesTarget() throws IOException {
      boolean[] closed = {false};
      OutputStream target =
          new ByteArrayOutputStream() {
            @Override
            public void close() {
              closed[0] = true;
            }
          };
      folder.encryptingStream(target, fileId, versionId, SMALL_SEGMENT).close();
      assertThat(closed[0]).isTrue();
    }

    @Nested
    @DisplayName("detects")
    class Tampering {
      private final byte[] plaintext =
          Fixtures.bytes(
              firstSegmentPlaintext(SMALL_SEGMENT) + 2 * segmentPlaintext(SMALL_SEGMENT) + 100, 3);
      private final byte[] ciphertext;

      Tampering() throws IOException {
        ciphertext = Fixtures.encrypt(folder, plaintext, fileId, versionId, SMALL_SEGMENT);
        assertThat(Fixtures.segments(ciphertext, SMALL_SEGMENT).length).isEqualTo(4);
      }

      private void assertTampered(byte[] bad, UUID file, UUID version, int segmentSize) {
        assertThatThrownBy(() -> Fixtures.decrypt(folder, bad, file, version, segmentSize))
            .isInstanceOf(IOException.class)
            .cause()
            .isInstanceOf(TamperedException.class)
            .hasMessageContaining("content of file " + file + " version " + version);
      }

      private void assertTampered(byte[] bad) {
        assertTampered(bad, fileId, versionId, SMALL_SEGMENT);
      }

      @Test
      @DisplayName("any changed byte")
      void anyByte() {
        for (int i = 0; i < ciphertext.length; i++) {
          assertTampered(flipped(ciphertext, i, i % 2 == 0 ? 0x01 : 0x80));
        }
      }

      @Test
      @DisplayName("content of another file or version, or under another key or segment size")
      void wrongContext() throws IOException {
        assertTampered(ciphertext, id(), versionId, SMALL_SEGMENT);
        assertTampered(ciphertext, fileId, id(), SMALL_SEGMENT);
        assertTampered(ciphertext, versionId, fileId, SMALL_SEGMENT);
        assertTampered(ciphertext, fileId, versionId, SMALL_SEGMENT + 16);
        byte[] otherVersion = Fixtures.encrypt(folder, plaintext, fileId, id(), SMALL_SEGMENT);
        assertTampered(otherVersion);
        try (NodeSecret other = NodeSecret.random()) {
          assertThatThrownBy(
                  () -> Fixtures.decrypt(other, ciphertext, fileId, versionId, SMALL_SEGMENT))
              .isInstanceOf(IOException.class)
              .hasCauseInstanceOf(TamperedException.class);
        }
      }

      @Test
      @DisplayName("swapped, repeated or dropped segments")
      void reordered() {
        byte[][] s = Fixtures.segments(ciphertext, SMALL_SEGMENT);
        assertTampered(concat(s[0], s[2], s[1], s[3]));
        assertTampered(concat(s[0], s[1], s[1], s[2], s[3]));
        assertTampered(concat(s[0], s[2], s[3]));
        assertTampered(concat(s[0], s[1], s[2], s[2]));
      }

      @Test
      @DisplayName("truncation at every segment boundary, and anywhere else")
      void truncated() {
        for (int length = 0; length < ciphertext.length; length++) {
          assertTampered(Arrays.copyOf(ciphertext, length));
        }
      }

      @Test
      @DisplayName("the last segment dropped from a stream that ends on a segment boundary")
      void droppedLastSegment() throws IOException {
        byte[] exact =
            Fixtures.bytes(
                firstSegmentPlaintext(SMALL_SEGMENT) + segmentPlaintext(SMALL_SEGMENT), 4);
        byte[] c = Fixtures.encrypt(folder, exact, fileId, versionId, SMALL_SEGMENT);
        assertThat(c).hasSize(2 * SMALL_SEGMENT);
        assertTampered(Arrays.copyOf(c, SMALL_SEGMENT));
      }

      @Test
      @DisplayName("appended bytes or segments")
      void extended() {
        assertTampered(concat(ciphertext, new byte[1]));
        assertTampered(concat(ciphertext, new byte[16]));
        byte[][] s = Fixtures.segments(ciphertext, SMALL_SEGMENT);
        assertTampered(concat(ciphertext, s[1]));
      }

      @Test
      @DisplayName("and keeps failing on later reads, returning no more plaintext")
      void staysFailed() throws IOException {
        byte[] bad = flipped(ciphertext, ciphertext.length - 1, 1);
        try (InputStream in =
            folder.decryptingStream(
                new ByteArrayInputStream(bad), fileId, versionId, SMALL_SEGMENT)) {
          byte[] buffer = new byte[ciphertext.length];
          int total = 0;
          IOException failure = null;
          try {
            for (int n; (n = in.read(buffer, total, buffer.length - total)) > 0; ) {
              total += n;
            }
          } catch (IOException e) {
            failure = e;
          }
          assertThat(failure).isNotNull().hasCauseInstanceOf(TamperedException.class);
          // only the three authenticated segments before the bad one came out
          assertThat(total).isLessThanOrEqualTo(plaintext.length - 100);
          assertThatThrownBy(in::read).hasCauseInstanceOf(TamperedException.class);
        }
      }
    }

    @Test
    @DisplayName("passes an I/O failure of the ciphertext source through, not as tampering")
    void sourceFailure() throws IOException {
      byte[] ciphertext =
          Fixtures.encrypt(folder, Fixtures.bytes(20_000, 5), fileId, versionId, SMALL_SEGMENT);
      IOException diskGone = new IOException("disk gone");
      InputStream failing =
          new FilterInputStream(new ByteArrayInputStream(ciphertext, 0, 6000)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              int n = super.read(b, off, len);
              if (n < 0) {
                throw diskGone;
              }
              return n;
            }
          };
      try (InputStream in = folder.decryptingStream(failing, fileId, versionId, SMALL_SEGMENT)) {
        assertThatThrownBy(in::readAllBytes).isSameAs(diskGone);
      }
    }
  }

  @Test
  @DisplayName("seals a version's metadata to its file and version")
  void meta() {
    try (NodeSecret file = NodeSecret.random()) {
      UUID id = UUID.randomUUID();
      UUID v1 = UUID.randomUUID();
      byte[] plain = "modified 2026-01-02".getBytes(StandardCharsets.UTF_8);
      byte[] sealed = file.sealMeta(plain, id, v1);
      assertThat(file.openMeta(sealed, id, v1)).isEqualTo(plain);
      assertThat(sealed).hasSize(plain.length + 28); // nonce + tag
      // moved to another version or file, or changed, it fails its check
      assertThatThrownBy(() -> file.openMeta(sealed, id, UUID.randomUUID()))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> file.openMeta(sealed, UUID.randomUUID(), v1))
          .isInstanceOf(TamperedException.class);
      byte[] flipped = sealed.clone();
      flipped[flipped.length - 1] ^= 1;
      assertThatThrownBy(() -> file.openMeta(flipped, id, v1))
          .isInstanceOf(TamperedException.class);
      try (NodeSecret other = NodeSecret.random()) {
        assertThatThrownBy(() -> other.openMeta(sealed, id, v1))
            .isInstanceOf(TamperedException.class);
      }
    }
  }
}
