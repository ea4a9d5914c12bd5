package io.edfs.crypto.v1;

import static io.edfs.crypto.v1.Fixtures.MASKS;
import static io.edfs.crypto.v1.Fixtures.flipped;
import static io.edfs.crypto.v1.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Sharing")
class SharingTest {
  private final AccountKeys grantee = AccountKeys.generate();
  private final NodeSecret secret = NodeSecret.random();
  private final UUID nodeId = id();
  private final UUID granteeId = id();

  @AfterEach
  void wipe() {
    grantee.close();
    secret.close();
  }

  private byte[] seal(String name, String mode) {
    return Sharing.seal(grantee.publicKeys(), secret, name, nodeId, granteeId, mode);
  }

  @Nested
  @DisplayName("a sealed grant")
  class Sealed {
    @ParameterizedTest
    @ValueSource(strings = {"R", "W"})
    @DisplayName("opens to the node's secret and name")
    void roundTrip(String mode) {
      try (Sharing.Opened opened =
          grantee.openGrant(seal("Photos 2024", mode), nodeId, granteeId, mode)) {
        assertThat(opened.secret().rawBytes()).isEqualTo(secret.rawBytes());
        assertThat(opened.name()).isEqualTo("Photos 2024");
      }
    }

    @Test
    @DisplayName("carries the name NFC-normalised")
    void unicode() {
      try (Sharing.Opened opened =
          grantee.openGrant(seal("Cafe\u0301 ☕", "R"), nodeId, granteeId, "R")) {
        assertThat(opened.name()).isEqualTo("Caf\u00e9 ☕");
      }
    }

    @Test
    @DisplayName("is randomised")
    void randomised() {
      assertThat(seal("a", "R")).isNotEqualTo(seal("a", "R"));
    }

    @Test
    @DisplayName("does not open for another node, grantee, mode or account")
    void wrongContext() {
      byte[] grant = seal("a", "R");
      assertThatThrownBy(() -> grantee.openGrant(grant, id(), granteeId, "R"))
          .isInstanceOf(TamperedException.class)
          .hasMessageContaining("grant of");
      assertThatThrownBy(() -> grantee.openGrant(grant, nodeId, id(), "R"))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> grantee.openGrant(grant, nodeId, granteeId, "W"))
          .isInstanceOf(TamperedException.class);
      assertThatThrownBy(() -> grantee.openGrant(grant, granteeId, nodeId, "R"))
          .isInstanceOf(TamperedException.class);
      try (AccountKeys other = AccountKeys.generate()) {
        assertThatThrownBy(() -> other.openGrant(grant, nodeId, granteeId, "R"))
            .isInstanceOf(TamperedException.class);
      }
    }

    @Test
    @DisplayName("detects any changed byte, and truncation")
    void tamper() {
      byte[] grant = seal("a name", "W");
      for (int i = 0; i < grant.length; i++) {
        for (int mask : MASKS) {
          byte[] bad = flipped(grant, i, mask);
          assertThatThrownBy(() -> grantee.openGrant(bad, nodeId, granteeId, "W"))
              .as("byte %d ^ %x", i, mask)
              .isInstanceOf(TamperedException.class);
        }
      }
      for (int length = 0; length < grant.length; length++) {
        byte[] cut = Arrays.copyOf(grant, length);
        assertThatThrownBy(() -> grantee.openGrant(cut, nodeId, granteeId, "W"))
            .isInstanceOf(TamperedException.class);
      }
    }

    @Test
    @DisplayName("wipes its secret when closed")
    void close() {
      Sharing.Opened opened = grantee.openGrant(seal("a", "R"), nodeId, granteeId, "R");
      opened.close();
      assertThatThrownBy(() -> opened.secret().rawBytes())
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Nested
  @DisplayName("rejects")
  class Rejects {
    @ParameterizedTest
    @ValueSource(strings = {"", "r", "w", "RW", "READ", "X"})
    @DisplayName("a mode other than R or W, when sealing and when opening")
    void mode(String mode) {
      assertThatThrownBy(() -> seal("a", mode))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("mode is '" + mode + "'; must be R or W");
      byte[] grant = seal("a", "R");
      assertThatThrownBy(() -> grantee.openGrant(grant, nodeId, granteeId, mode))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("an invalid name")
    void name() {
      assertThatThrownBy(() -> seal("..", "R")).isInstanceOf(InvalidNameException.class);
      assertThatThrownBy(() -> seal("a\u001bb", "R"))
          .isInstanceOf(InvalidNameException.class)
          .hasMessageContaining("control characters");
    }

    @Test
    @DisplayName("public keys that are malformed or are not public keys")
    void publicKeys() {
      byte[] good = grantee.publicKeys();
      for (byte[] bad :
          new byte[][] {
            new byte[0],
            Arrays.copyOf(good, good.length - 1),
            Fixtures.concat(good, new byte[1]),
            grantee.exportPrivate(),
            flipped(good, 0, 2)
          }) {
        assertThatThrownBy(() -> Sharing.seal(bad, secret, "a", nodeId, granteeId, "R"))
            .isInstanceOf(CryptoException.class);
      }
    }

    @Test
    @DisplayName("public keys of the right type whose key does not parse")
    void damagedPublicKey() {
      List<byte[]> keysets = Keysets.read(grantee.publicKeys(), 2, 0, "public keys");
      byte[] bad =
          Keysets.write(
              List.of(Fixtures.withKeyValue(keysets.get(0), new byte[] {1, 2, 3}), keysets.get(1)),
              new byte[0]);
      assertThatThrownBy(() -> Sharing.seal(bad, secret, "a", nodeId, granteeId, "R"))
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("malformed public keyset");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "..", "\u001b]0;pwned\u0007", "a\u009b"})
    @DisplayName("an authentic grant whose name breaks the rules, from a hostile client")
    void hostileName(String name) throws Exception {
      byte[] plaintext = Fixtures.concat(secret.rawBytes(), name.getBytes(StandardCharsets.UTF_8));
      byte[] grant =
          Keysets.hybridEncrypt(Keysets.parsePublicBundle(grantee.publicKeys()))
              .encrypt(plaintext, Labels.share(nodeId, granteeId, "R"));
      assertThatThrownBy(() -> grantee.openGrant(grant, nodeId, granteeId, "R"))
          .isInstanceOf(InvalidNameException.class);
    }
  }
}
