package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RateLimiter")
class RateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RateLimiter limiter = new RateLimiter(3, Duration.ofSeconds(60), now::get);

  @Test
  @DisplayName("limits a key once it has the maximum failures in the window")
  void limits() {
    limiter.recordFailure("k");
    limiter.recordFailure("k");
    assertThat(limiter.retryAfter("k")).isEmpty();
    limiter.recordFailure("k");
    assertThat(limiter.retryAfter("k")).hasValue(Duration.ofSeconds(60));
    assertThat(limiter.retryAfter("other")).isEmpty();
  }

  @Test
  @DisplayName("the window slides: the oldest failure ages out first")
  void slides() {
    limiter.recordFailure("k");
    advance(Duration.ofSeconds(20));
    limiter.recordFailure("k");
    limiter.recordFailure("k");
    assertThat(limiter.retryAfter("k")).hasValue(Duration.ofSeconds(40));
    advance(Duration.ofSeconds(40));
    assertThat(limiter.retryAfter("k")).isEmpty();
    limiter.recordFailure("k");
    assertThat(limiter.retryAfter("k")).hasValue(Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("reset forgets a key")
  void reset() {
    for (int i = 0; i < 3; i++) {
      limiter.recordFailure("k");
    }
    limiter.reset("k");
    assertThat(limiter.retryAfter("k")).isEmpty();
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }
}
