package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Range headers on block reads")
class EndpointsTest {
  @Test
  @DisplayName("single satisfiable ranges are honoured, clamped to the block")
  void ranges() {
    assertThat(Endpoints.range("bytes=0-9", 100))
        .hasValueSatisfying(r -> assertThat(r).containsExactly(0, 9));
    assertThat(Endpoints.range("bytes=90-", 100))
        .hasValueSatisfying(r -> assertThat(r).containsExactly(90, 99));
    assertThat(Endpoints.range("bytes=90-1000", 100))
        .hasValueSatisfying(r -> assertThat(r).containsExactly(90, 99));
    assertThat(Endpoints.range("bytes=-10", 100))
        .hasValueSatisfying(r -> assertThat(r).containsExactly(90, 99));
    assertThat(Endpoints.range("bytes=-1000", 100))
        .hasValueSatisfying(r -> assertThat(r).containsExactly(0, 99));
  }

  @Test
  @DisplayName("anything else is ignored, so the whole block is sent")
  void ignored() {
    for (String h :
        new String[] {
          "bytes=100-",
          "bytes=5-1",
          "bytes=0-1,5-6",
          "items=0-1",
          "bytes=x-y",
          "bytes=-0",
          "bytes=5"
        }) {
      assertThat(Endpoints.range(h, 100)).as(h).isEmpty();
    }
  }
}
