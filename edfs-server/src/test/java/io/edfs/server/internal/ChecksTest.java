package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.ErrorType;
import io.edfs.protocol.KdfParams;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Checks")
class ChecksTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "alice",
        "Alice",
        "a.b_c-d",
        "0day",
        "x234567890123456789012345678901234567890123456789012345678901234"
      })
  @DisplayName(
      "accepts usernames of a-z, 0-9, . _ - starting with a letter or digit, folded to lowercase")
  void goodUsernames(String name) {
    assertThat(Checks.username(name)).isEqualTo(name.toLowerCase());
    assertThat(Checks.isUsername(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "-a",
        ".a",
        "_a",
        "a b",
        "a/b",
        "é",
        "a@b",
        "x2345678901234567890123456789012345678901234567890123456789012345"
      })
  @DisplayName("rejects every other username")
  void badUsernames(String name) {
    assertThat(Checks.isUsername(name)).isFalse();
    assertThatThrownBy(() -> Checks.username(name))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("username must be 1..64 characters");
  }

  @Test
  @DisplayName("KDF parameters must lie in the allowed ranges")
  void kdf() {
    assertThat(Checks.kdf(new KdfParams(8192, 1, 1))).isNotNull();
    assertThat(Checks.kdf(new KdfParams(4_194_304, 100, 16))).isNotNull();
    assertThatThrownBy(() -> Checks.kdf(new KdfParams(8191, 3, 1)))
        .hasMessageContaining("kdf.memoryKib must be in 8192..4194304, got 8191");
    assertThatThrownBy(() -> Checks.kdf(new KdfParams(65536, 101, 1)))
        .hasMessageContaining("kdf.iterations");
    assertThatThrownBy(() -> Checks.kdf(new KdfParams(65536, 3, 0)))
        .hasMessageContaining("kdf.parallelism");
  }

  @Test
  @DisplayName("encrypted names are 1..512 bytes, else invalid-name")
  void encName() {
    assertThat(Checks.encName(new byte[512])).hasSize(512);
    assertThatThrownBy(() -> Checks.encName(new byte[0]))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_NAME));
    assertThatThrownBy(() -> Checks.encName(new byte[513])).hasMessageContaining("got 513");
  }

  @Test
  @DisplayName("UUIDs must be canonical; hashes 64 lowercase hex")
  void formats() {
    UUID id = UUID.randomUUID();
    assertThat(Checks.uuid(id.toString(), "id")).isEqualTo(id);
    assertThatThrownBy(() -> Checks.uuid("1-2-3-4-5", "node id"))
        .hasMessageContaining("node id must be a UUID");
    assertThat(Checks.isHash("ab".repeat(32))).isTrue();
    assertThat(Checks.isHash("AB".repeat(32))).isFalse();
    assertThat(Checks.isHash("ab".repeat(31))).isFalse();
  }

  @Test
  @DisplayName("byte fields name their size limits")
  void bytes() {
    assertThatThrownBy(() -> Checks.bytes(new byte[31], "authKey", 32, 32))
        .hasMessage("authKey must be exactly 32 bytes, got 31");
    assertThatThrownBy(() -> Checks.bytes(null, "salt", 16, 16)).hasMessage("missing field: salt");
    assertThatThrownBy(() -> Checks.bytes(new byte[0], "k", 1, 10))
        .hasMessage("k must be 1..10 bytes, got 0");
  }
}
