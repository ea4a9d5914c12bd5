package io.edfs.crypto.v1;

import static io.edfs.crypto.v1.Fixtures.MASKS;
import static io.edfs.crypto.v1.Fixtures.flipped;
import static io.edfs.crypto.v1.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("AccountKeys")
class AccountKeysTest {
  private final AccountKeys account = AccountKeys.generate();

  @AfterEach
  void wipe() {
    account.close();
  }

  @Nested
  @DisplayName("exported")
  class Exported {
    @Test
    @DisplayName("import back to the same keys")
    void roundTrip() {
      byte[] bundle = account.exportPrivate();
      try (AccountKeys imported = AccountKeys.importPrivate(bundle)) {
        assertThat(imported.exportPrivate()).isEqualTo(bundle);
        assertThat(imported.publicKeys()).isEqualTo(account.publicKeys());
        UUID nodeId = id();
        UUID me = id();
        byte[] grant;
        try (NodeSecret secret = NodeSecret.random()) {
          grant = Sharing.seal(account.publicKeys(), secret, "n", nodeId, me, "R");
        }
        try (Sharing.Opened opened = imported.openGrant(grant, nodeId, me, "R")) {
          assertThat(opened.name()).isEqualTo("n");
        }
      }
    }

    @Test
    @DisplayName("are fresh for every generated account")
    void fresh() {
      try (AccountKeys other = AccountKeys.generate()) {
        assertThat(other.publicKeys()).isNotEqualTo(account.publicKeys());
        assertThat(other.exportPrivate()).isNotEqualTo(account.exportPrivate());
      }
    }

    @Test
    @DisplayName("follow the bundle layout: version 1, two length-prefixed keysets, 32-byte key")
    void layout() {
      ByteBuffer bundle = ByteBuffer.wrap(account.exportPrivate());
      assertThat(bundle.get()).isEqualTo((byte) 1);
      skipPart(bundle);
      skipPart(bundle);
      assertThat(bundle.remaining()).isEqualTo(32);

      ByteBuffer publicKeys = ByteBuffer.wrap(account.publicKeys());
      assertThat(publicKeys.get()).isEqualTo((byte) 1);
      skipPart(publicKeys);
      skipPart(publicKeys);
      assertThat(publicKeys.remaining()).isZero();
    }

    private void skipPart(ByteBuffer in) {
      int length = in.getInt();
      assertThat(length).isPositive().isLessThanOrEqualTo(in.remaining());
      in.position(in.position() + length);
    }

    @Test
    @DisplayName("reject every truncation, a trailing byte, a wrong version and bad lengths")
    void malformed() {
      byte[] bundle = account.exportPrivate();
      for (int length = 0; length < bundle.length; length++) {
        byte[] cut = Arrays.copyOf(bundle, length);
        assertThatThrownBy(() -> AccountKeys.importPrivate(cut))
            .as("first %d bytes", length)
            .isInstanceOf(CryptoException.class);
      }
      assertThatThrownBy(() -> AccountKeys.importPrivate(Fixtures.concat(bundle, new byte[1])))
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("33 bytes after the keysets; expected 32");
      assertThatThrownBy(() -> AccountKeys.importPrivate(flipped(bundle, 0, 3)))
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("unknown format version");
      byte[] huge = bundle.clone();
      ByteBuffer.wrap(huge).putInt(1, -1);
      assertThatThrownBy(() -> AccountKeys.importPrivate(huge))
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("claims 4294967295 bytes");
      for (int i = 1; i < 5; i++) {
        byte[] bad = flipped(bundle, i, 1);
        assertThatThrownBy(() -> AccountKeys.importPrivate(bad))
            .isInstanceOf(CryptoException.class);
      }
    }

    @Test
    @DisplayName("reject keysets of the wrong kind or in the wrong place")
    void wrongKeysets() {
      ByteBuffer in = ByteBuffer.wrap(account.exportPrivate());
      in.get();
      byte[] hpke = new byte[in.getInt()];
      in.get(hpke);
      byte[] signing = new byte[in.getInt()];
      in.get(signing);
      byte[] key = new byte[32];
      in.get(key);
      assertThatThrownBy(
              () -> AccountKeys.importPrivate(Keysets.write(List.of(signing, hpke), key)))
          .isInstanceOf(CryptoException.class);
      assertThatThrownBy(() -> AccountKeys.importPrivate(Keysets.write(List.of(hpke, hpke), key)))
          .isInstanceOf(CryptoException.class);
      assertThatThrownBy(() -> AccountKeys.importPrivate(account.publicKeys()))
          .isInstanceOf(CryptoException.class);
      assertThatThrownBy(
              () -> AccountKeys.importPrivate(Keysets.write(List.of(new byte[5], signing), key)))
          .isInstanceOf(CryptoException.class);
    }
  }

  @Nested
  @DisplayName("imported, with keysets parsed on first use,")
  class Imported {
    private final byte[] bundle = account.exportPrivate();
    private final UUID nodeId = id();
    private final UUID me = id();
    private final byte[] grant;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    Imported() {
      try (NodeSecret secret = NodeSecret.random()) {
        grant = Sharing.seal(account.publicKeys(), secret, "n", nodeId, me, "R");
      }
    }

    @AfterEach
    void stopPool() {
      pool.shutdownNow();
    }

    private String open(AccountKeys keys) {
      try (Sharing.Opened opened = keys.openGrant(grant, nodeId, me, "R")) {
        return opened.name();
      }
    }

    @Test
    @DisplayName("export the same bundle before, between and after the uses of their keysets")
    void exportAroundFirstUse() {
      try (AccountKeys imported = AccountKeys.importPrivate(bundle)) {
        assertThat(imported.exportPrivate()).isEqualTo(bundle);
        assertThat(open(imported)).isEqualTo("n"); // parses the HPKE keyset only
        assertThat(imported.exportPrivate()).isEqualTo(bundle);
        assertThat(imported.publicKeys()).isEqualTo(account.publicKeys()); // and Ed25519
        assertThat(imported.exportPrivate()).isEqualTo(bundle);
      }
    }

    @Test
    @DisplayName("keep a keyset Tink refuses until its first use, which fails every time")
    void refusedAtFirstUse() {
      byte[] hpke = part(bundle, 0);
      byte[] signing = part(bundle, 1);
      byte[] damaged =
          Keysets.write(
              List.of(Fixtures.withKeyValue(hpke, new byte[] {1, 2, 3}), signing),
              Arrays.copyOfRange(bundle, bundle.length - 32, bundle.length));
      try (AccountKeys imported = AccountKeys.importPrivate(damaged);
          NodeSecret home = NodeSecret.random()) {
        UUID homeId = id();
        byte[] wrapped = imported.wrapHome(home, homeId, me);
        try (NodeSecret unwrapped = imported.unwrapHome(wrapped, homeId, me)) {
          assertThat(unwrapped.rawBytes()).isEqualTo(home.rawBytes());
        }
        assertThat(imported.exportPrivate()).isEqualTo(damaged);
        for (int i = 0; i < 2; i++) {
          assertThatThrownBy(() -> open(imported))
              .isInstanceOf(CryptoException.class)
              .hasMessageContaining("malformed private keyset");
        }
        assertThatThrownBy(imported::publicKeys).isInstanceOf(CryptoException.class);
      }
    }

    @Test
    @DisplayName("after close, every use throws, whether a keyset was parsed or not")
    void close() {
      for (boolean used : new boolean[] {false, true}) {
        AccountKeys imported = AccountKeys.importPrivate(bundle);
        if (used) {
          assertThat(open(imported)).isEqualTo("n");
        }
        imported.close();
        assertThatThrownBy(() -> open(imported))
            .as("used before: %s", used)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("account keys are closed");
        assertThatThrownBy(imported::exportPrivate)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("account keys are closed");
        assertThatThrownBy(imported::publicKeys)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("account keys are closed");
      }
    }

    @Test
    @DisplayName("serve two threads that first use them at the same moment")
    void concurrentFirstUse() throws Exception {
      for (int round = 0; round < 50; round++) {
        try (AccountKeys imported = AccountKeys.importPrivate(bundle)) {
          CyclicBarrier start = new CyclicBarrier(2);
          Future<String> opened = together(pool, start, () -> open(imported));
          Future<byte[]> publicKeys = together(pool, start, imported::publicKeys);
          assertThat(opened.get(30, TimeUnit.SECONDS)).isEqualTo("n");
          assertThat(publicKeys.get(30, TimeUnit.SECONDS)).isEqualTo(account.publicKeys());
          assertThat(imported.exportPrivate()).isEqualTo(bundle);
        }
      }
    }

    @Test
    @DisplayName("closed while a thread first uses them, either serve it or say they are closed")
    void closeDuringFirstUse() throws Exception {
      for (int round = 0; round < 50; round++) {
        AccountKeys imported = AccountKeys.importPrivate(bundle);
        CyclicBarrier start = new CyclicBarrier(2);
        Future<String> opened =
            together(
                pool,
                start,
                () -> {
                  try {
                    return open(imported);
                  } catch (IllegalStateException e) {
                    return e.getMessage();
                  }
                });
        Future<?> closed =
            together(
                pool,
                start,
                () -> {
                  imported.close();
                  return null;
                });
        closed.get(30, TimeUnit.SECONDS);
        assertThat(opened.get(30, TimeUnit.SECONDS)).isIn("n", "account keys are closed");
      }
    }
  }

  /** Runs {@code task} on {@code pool} once the other party of {@code start} is ready too. */
  private static <T> Future<T> together(
      ExecutorService pool, CyclicBarrier start, Callable<T> task) {
    return pool.submit(
        () -> {
          start.await();
          return task.call();
        });
  }

  /** Part {@code index} (a keyset) of a private bundle. */
  private static byte[] part(byte[] bundle, int index) {
    return Keysets.read(bundle, 2, 32, "bundle").get(index);
  }

  @Nested
  @DisplayName("wrapping the home secret")
  class Home {
    private final NodeSecret home = NodeSecret.random();
    private final UUID homeId = id();
    private final UUID userId = id();

    @AfterEach
    void wipeHome() {
      home.close();
    }

    @Test
    @DisplayName("round-trips it, also through an exported and imported account")
    void roundTrip() {
      byte[] wrapped = account.wrapHome(home, homeId, userId);
      assertThat(wrapped).hasSize(12 + 32 + 16);
      try (AccountKeys imported = AccountKeys.importPrivate(account.exportPrivate());
          NodeSecret unwrapped = imported.unwrapHome(wrapped, homeId, userId)) {
        assertThat(unwrapped.rawBytes()).isEqualTo(home.rawBytes());
      }
    }

    @Test
    @DisplayName("detects another home, another user, or another account")
    void wrongContext() {
      byte[] wrapped = account.wrapHome(home, homeId, userId);
      assertThatThrownBy(() -> account.unwrapHome(wrapped, id(), userId))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> account.unwrapHome(wrapped, homeId, id()))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> account.unwrapHome(wrapped, userId, homeId))
          .isInstanceOf(TamperedException.class);
      try (AccountKeys other = AccountKeys.generate()) {
        assertThatThrownBy(() -> other.unwrapHome(wrapped, homeId, userId))
            .isInstanceOf(TamperedException.class);
      }
    }

    @Test
    @DisplayName("detects any changed byte")
    void tamper() {
      byte[] wrapped = account.wrapHome(home, homeId, userId);
      for (int i = 0; i < wrapped.length; i++) {
        for (int mask : MASKS) {
          byte[] bad = flipped(wrapped, i, mask);
          assertThatThrownBy(() -> account.unwrapHome(bad, homeId, userId))
              .as("byte %d ^ %x", i, mask)
              .isInstanceOf(TamperedException.class);
        }
      }
    }
  }

  @Test
  @DisplayName("after close, every use throws IllegalStateException")
  void close() {
    AccountKeys keys = AccountKeys.generate();
    UUID a = id();
    byte[] grant;
    byte[] wrapped;
    try (NodeSecret secret = NodeSecret.random()) {
      grant = Sharing.seal(keys.publicKeys(), secret, "x", a, a, "R");
      wrapped = keys.wrapHome(secret, a, a);
    }
    keys.close();
    keys.close(); // idempotent
    List<ThrowingCallable> uses =
        List.of(
            keys::publicKeys,
            keys::exportPrivate,
            () -> keys.wrapHome(NodeSecret.random(), a, a),
            () -> keys.unwrapHome(wrapped, a, a),
            () -> keys.openGrant(grant, a, a, "R"));
    for (ThrowingCallable use : uses) {
      assertThatThrownBy(use)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("account keys are closed");
    }
  }
}
