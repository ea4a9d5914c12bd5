package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.ErrorType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs tasks at the same moment, each on its own platform thread: every thread waits at a barrier
 * until all are ready, so the tasks' transactions overlap as much as the engine lets them.
 */
final class Race {
  /** Long enough for a loaded 2-core machine; only a hung engine reaches it. */
  private static final long TIMEOUT_SECONDS = 120;

  private Race() {}

  /** What one task did: its value, or what it threw. */
  record Outcome<T>(T value, Throwable error) {
    boolean won() {
      return error == null;
    }

    /** The error type of an {@link ApiException}, or null for success or any other throwable. */
    ErrorType type() {
      return error instanceof ApiException e ? e.type() : null;
    }

    boolean failedWith(ErrorType expected) {
      return type() == expected;
    }

    @Override
    public String toString() {
      if (error == null) {
        return "won (" + value + ")";
      }
      return error instanceof ApiException e
          ? e.type() + " (" + e.getMessage() + ")"
          : error.getClass().getSimpleName() + ": " + error.getMessage();
    }
  }

  /** Runs all {@code tasks} at once and returns their outcomes, in the order of the tasks. */
  static <T> List<Outcome<T>> run(List<Callable<T>> tasks) throws Exception {
    CyclicBarrier start = new CyclicBarrier(tasks.size());
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<Outcome<T>>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                  try {
                    return new Outcome<>(task.call(), null);
                  } catch (Exception | AssertionError e) {
                    return new Outcome<T>(null, e);
                  }
                }));
      }
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (Future<Outcome<T>> f : futures) {
        outcomes.add(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  static <T> long count(List<Outcome<T>> outcomes, Predicate<Outcome<T>> which) {
    return outcomes.stream().filter(which).count();
  }

  /**
   * Asserts that exactly one task succeeded and every other one failed with {@code losers}; returns
   * the winner's value.
   */
  static <T> T onlyWinner(List<Outcome<T>> outcomes, ErrorType losers) {
    assertThat(count(outcomes, Outcome::won)).as("winners in %s", outcomes).isOne();
    assertThat(count(outcomes, o -> o.failedWith(losers)))
        .as("%s in %s", losers, outcomes)
        .isEqualTo(outcomes.size() - 1);
    return outcomes.stream().filter(Outcome::won).findFirst().orElseThrow().value();
  }
}
