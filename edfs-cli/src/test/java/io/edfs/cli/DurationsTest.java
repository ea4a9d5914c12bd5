package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Durations in settings")
class DurationsTest {
  @Test
  @DisplayName("read a number with a unit, a bare 0, or ISO-8601")
  void parses() {
    assertThat(Durations.parse("250ms", "x")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("90s", "x")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("15m", "x")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Durations.parse("1h", "x")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("7d", "x")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("0", "x")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("PT2H", "x")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  @DisplayName("refuse anything else, naming the setting")
  void refuses() {
    for (String bad : new String[] {"", "10", "1 h", "-5s", "1y", "h"}) {
      assertThatThrownBy(() -> Durations.parse(bad, "gc-grace"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gc-grace must be a duration such as 90s");
    }
  }
}
