package io.edfs.server.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failures per key (a username, a client address) in a sliding window, in memory. Once a key
 * has {@code maxFailures} failures within the window it is limited until the oldest one ages out.
 * Thread-safe.
 */
final class RateLimiter {
  /** Past this many tracked keys, stale ones are swept on the next failure. */
  private static final int SWEEP_THRESHOLD = 10_000;

  private final int maxFailures;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final Map<String, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();

  RateLimiter(int maxFailures, Duration window, LongSupplier nanoTime) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be >= 1, got " + maxFailures);
    }
    this.maxFailures = maxFailures;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
  }

  RateLimiter(int maxFailures, Duration window) {
    this(maxFailures, window, System::nanoTime);
  }

  /** How long {@code key} must wait, if it is limited now. */
  Optional<Duration> retryAfter(String key) {
    ArrayDeque<Long> times = failures.get(key);
    if (times == null) {
      return Optional.empty();
    }
    long now = nanoTime.getAsLong();
    synchronized (times) {
      expire(times, now);
      if (times.size() < maxFailures) {
        return Optional.empty();
      }
      // at most maxFailures are kept, so the key is limited until the oldest one ages out
      return Optional.of(Duration.ofNanos(Math.max(1, times.peekFirst() + windowNanos - now)));
    }
  }

  void recordFailure(String key) {
    if (failures.size() > SWEEP_THRESHOLD) {
      sweep();
    }
    long now = nanoTime.getAsLong();
    ArrayDeque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      expire(times, now);
      times.addLast(now);
      // keep memory bounded under a flood: older entries no longer matter for the decision
      while (times.size() > maxFailures) {
        times.removeFirst();
      }
    }
  }

  /** Forgets the failures of {@code key}. */
  void reset(String key) {
    failures.remove(key);
  }

  private void expire(ArrayDeque<Long> times, long now) {
    while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
      times.removeFirst();
    }
  }

  private void sweep() {
    long now = nanoTime.getAsLong();
    failures
        .entrySet()
        .removeIf(
            e -> {
              synchronized (e.getValue()) {
                expire(e.getValue(), now);
                return e.getValue().isEmpty();
              }
            });
  }
}
