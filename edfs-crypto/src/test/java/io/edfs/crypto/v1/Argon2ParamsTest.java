package io.edfs.crypto.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Argon2Params")
class Argon2ParamsTest {

  @Test
  @DisplayName("defaults to m=64 MiB, t=3, p=1")
  void defaults() {
    assertThat(Argon2Params.DEFAULT).isEqualTo(new Argon2Params(65536, 3, 1));
  }

  @Test
  @DisplayName("accepts the bounds of every range")
  void bounds() {
    new Argon2Params(8192, 1, 1);
    new Argon2Params(4194304, 100, 16);
  }

  @Test
  @DisplayName("rejects values out of range, naming the value and the range")
  void outOfRange() {
    assertThatThrownBy(() -> new Argon2Params(8191, 3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Argon2 memoryKib is 8191; allowed 8192..4194304");
    assertThatThrownBy(() -> new Argon2Params(4194305, 3, 1))
        .hasMessage("Argon2 memoryKib is 4194305; allowed 8192..4194304");
    assertThatThrownBy(() -> new Argon2Params(65536, 0, 1))
        .hasMessage("Argon2 iterations is 0; allowed 1..100");
    assertThatThrownBy(() -> new Argon2Params(65536, 101, 1))
        .hasMessage("Argon2 iterations is 101; allowed 1..100");
    assertThatThrownBy(() -> new Argon2Params(65536, 3, 0))
        .hasMessage("Argon2 parallelism is 0; allowed 1..16");
    assertThatThrownBy(() -> new Argon2Params(65536, 3, 17))
        .hasMessage("Argon2 parallelism is 17; allowed 1..16");
  }
}
