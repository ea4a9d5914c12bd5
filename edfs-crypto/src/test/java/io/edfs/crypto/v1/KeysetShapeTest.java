package io.edfs.crypto.v1;

import static io.edfs.crypto.v1.Fixtures.MASKS;
import static io.edfs.crypto.v1.Fixtures.concat;
import static io.edfs.crypto.v1.Fixtures.flipped;
import static io.edfs.crypto.v1.KeysetShape.ED25519_PRIVATE;
import static io.edfs.crypto.v1.KeysetShape.HPKE_PRIVATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.proto.Keyset;
import com.google.protobuf.ExtensionRegistryLite;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KeysetShape")
class KeysetShapeTest {
  private final AccountKeys account = AccountKeys.generate();
  private final List<byte[]> keysets = Keysets.read(account.exportPrivate(), 2, 32, "bundle");
  private final byte[] hpke = keysets.get(0);
  private final byte[] signing = keysets.get(1);

  @AfterEach
  void wipe() {
    account.close();
  }

  @Test
  @DisplayName("expects the type URLs Tink writes, and accepts the keysets it writes")
  void tinkKeysets() throws Exception {
    assertThat(typeUrl(hpke)).isEqualTo(HPKE_PRIVATE);
    assertThat(typeUrl(signing)).isEqualTo(ED25519_PRIVATE);
    assertThatCode(() -> KeysetShape.require(hpke, HPKE_PRIVATE, "k")).doesNotThrowAnyException();
    assertThatCode(() -> KeysetShape.require(signing, ED25519_PRIVATE, "k"))
        .doesNotThrowAnyException();
  }

  private static String typeUrl(byte[] keyset) throws Exception {
    Keyset parsed = Keyset.parseFrom(keyset, ExtensionRegistryLite.getEmptyRegistry());
    assertThat(parsed.getKeyCount()).isEqualTo(1);
    return parsed.getKey(0).getKeyData().getTypeUrl();
  }

  @Test
  @DisplayName("refuses a keyset of the other type, or of no keys")
  void wrongType() {
    assertThatThrownBy(() -> KeysetShape.require(signing, HPKE_PRIVATE, "the HPKE keyset"))
        .isInstanceOf(CryptoException.class)
        .hasMessage(
            "the HPKE keyset holds a key of type "
                + ED25519_PRIVATE
                + "; expected "
                + HPKE_PRIVATE);
    assertThatThrownBy(() -> KeysetShape.require(new byte[0], HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: no keys");
    // a second key of another type, as a keyset of both would have
    assertThatThrownBy(() -> KeysetShape.require(concat(hpke, signing), HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("expected " + HPKE_PRIVATE);
    assertThatCode(() -> KeysetShape.require(concat(hpke, hpke), HPKE_PRIVATE, "k"))
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("refuses a key without a type, and a key or type of the wrong wire type")
  void malformedKey() {
    byte[] typeUrl = HPKE_PRIVATE.getBytes(StandardCharsets.UTF_8);
    byte[] untyped = len(2, len(1, len(2, new byte[] {1, 2})));
    assertThatThrownBy(() -> KeysetShape.require(untyped, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: a key without a type");
    assertThatThrownBy(() -> KeysetShape.require(new byte[] {0x10, 1}, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: field 2 has wire type 0");
    byte[] varintType = len(2, len(1, new byte[] {0x08, 1, 0x12, 0}));
    assertThatThrownBy(() -> KeysetShape.require(varintType, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: field 1 has wire type 0");
    // unknown fields of every wire type are skipped, as protobuf does
    byte[] unknown = {
      (byte) 0x48, 5, (byte) 0x51, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x5d, 0, 0, 0, 0, 0x62, 1, 0
    };
    byte[] keyData = concat(unknown, len(1, typeUrl));
    byte[] extended = concat(unknown, len(2, concat(unknown, len(1, keyData))));
    assertThatCode(() -> KeysetShape.require(extended, HPKE_PRIVATE, "k"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> KeysetShape.require(new byte[] {0x0b}, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: wire type 3");
    assertThatThrownBy(() -> KeysetShape.require(new byte[] {0x00}, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: field number 0");
    byte[] longVarint = new byte[11];
    Arrays.fill(longVarint, (byte) 0x80);
    assertThatThrownBy(() -> KeysetShape.require(longVarint, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: varint longer than 10 bytes");
    byte[] hugeLength = new byte[11]; // field 2, a length of 2^64 - 1 (negative as a long)
    Arrays.fill(hugeLength, (byte) 0xff);
    hugeLength[0] = 0x12;
    hugeLength[10] = 0x01;
    assertThatThrownBy(() -> KeysetShape.require(hugeLength, HPKE_PRIVATE, "k"))
        .isInstanceOf(CryptoException.class)
        .hasMessage("malformed k: field 2 claims 18446744073709551615 bytes");
  }

  @Test
  @DisplayName("throws only CryptoException for any truncation or changed byte")
  void damaged() {
    for (int length = 1; length < hpke.length; length++) {
      byte[] cut = Arrays.copyOf(hpke, length);
      assertThatThrownBy(() -> KeysetShape.require(cut, HPKE_PRIVATE, "k"))
          .as("first %d bytes", length)
          .isInstanceOf(CryptoException.class);
    }
    for (int i = 0; i < hpke.length; i++) {
      for (int mask : MASKS) {
        byte[] bad = flipped(hpke, i, mask);
        try {
          KeysetShape.require(bad, HPKE_PRIVATE, "k");
        } catch (CryptoException expected) {
          // a changed byte within the key itself is Tink's to find
        }
      }
    }
    for (long seed = 0; seed < 2000; seed++) {
      byte[] noise = Fixtures.bytes((int) (seed % 64), seed);
      try {
        KeysetShape.require(noise, HPKE_PRIVATE, "k");
      } catch (CryptoException expected) {
        // the only failure allowed
      }
    }
  }

  /** A protobuf field of wire type LEN. */
  private static byte[] len(int number, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(number << 3 | 2);
    out.write(value.length); // every value here is shorter than 128 bytes
    out.writeBytes(value);
    return out.toByteArray();
  }
}
