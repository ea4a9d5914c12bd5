package io.edfs.crypto.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LazyKeyset")
class LazyKeysetTest {
  private final byte[] bytes = {1, 2, 3};
  private final AtomicInteger parses = new AtomicInteger();
  private final CountDownLatch parsing = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  /** Parses into a fresh object, once {@link #release} opens. */
  private final LazyKeyset<Object> keyset =
      LazyKeyset.serialized(
          bytes,
          b -> {
            parses.incrementAndGet();
            parsing.countDown();
            try {
              assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
            return new Object();
          });

  @Test
  @DisplayName("parses on first use only, then wipes the bytes")
  void firstUse() {
    release.countDown();
    assertThat(keyset.serialized(k -> new byte[0])).isEqualTo(bytes).isNotSameAs(bytes);
    assertThat(parses).hasValue(0);
    Object parsed = keyset.get();
    assertThat(keyset.get()).isSameAs(parsed);
    assertThat(parses).hasValue(1);
    assertThat(bytes).containsOnly(0);
    assertThat(keyset.serialized(k -> new byte[] {9})).containsExactly(9);
  }

  @Test
  @DisplayName("parses once for threads that first use it at once")
  void concurrentFirstUse() throws Exception {
    Running first = Running.start(keyset::get);
    assertThat(parsing.await(30, TimeUnit.SECONDS)).isTrue();
    Running second = Running.start(keyset::get);
    second.awaitBlocked(); // on the lock the first parse holds
    release.countDown();
    assertThat(second.result()).isSameAs(first.result());
    assertThat(parses).hasValue(1);
  }

  @Test
  @DisplayName("closes after a parse under way, and is closed to every later use")
  void closeDuringParse() throws Exception {
    Running first = Running.start(keyset::get);
    assertThat(parsing.await(30, TimeUnit.SECONDS)).isTrue();
    Running closing =
        Running.start(
            () -> {
              keyset.close();
              return "closed";
            });
    closing.awaitBlocked();
    release.countDown();
    assertThat(first.result()).isNotNull();
    assertThat(closing.result()).isEqualTo("closed");
    assertThatThrownBy(keyset::get)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("account keys are closed");
    assertThatThrownBy(() -> keyset.serialized(k -> new byte[0]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("account keys are closed");
  }

  @Test
  @DisplayName("wipes the bytes on close if never parsed")
  void closeUnparsed() {
    keyset.close();
    assertThat(bytes).containsOnly(0);
    assertThatThrownBy(keyset::get).isInstanceOf(IllegalStateException.class);
    assertThat(parses).hasValue(0);
  }

  @Test
  @DisplayName("fails at every use when the bytes do not parse, keeping them until close")
  void refused() {
    LazyKeyset<Object> refused =
        LazyKeyset.serialized(
            bytes,
            b -> {
              parses.incrementAndGet();
              throw new CryptoException("malformed private keyset");
            });
    for (int i = 1; i <= 2; i++) {
      assertThatThrownBy(refused::get).isInstanceOf(CryptoException.class);
      assertThat(parses).hasValue(i);
      assertThat(bytes).containsExactly(1, 2, 3);
    }
    refused.close();
    assertThat(bytes).containsOnly(0);
  }

  /** A task running on a thread of its own. */
  private record Running(Thread thread, FutureTask<Object> task) {
    static Running start(Callable<Object> work) {
      FutureTask<Object> task = new FutureTask<>(work);
      Thread thread = new Thread(task);
      thread.start();
      return new Running(thread, task);
    }

    Object result() throws Exception {
      return task.get(30, TimeUnit.SECONDS);
    }

    /** Waits until the thread waits for a lock. */
    void awaitBlocked() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (thread.getState() != Thread.State.BLOCKED) {
        assertThat(System.nanoTime()).as("%s blocked in time", thread).isLessThan(deadline);
        Thread.sleep(1);
      }
    }
  }
}
