package io.edfs.server.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs tasks on virtual threads, at most {@code width} at once, for work that waits on storage
 * (block copies and reads: an object store answers each request after a round trip, a disk after
 * an fsync). The first failure is kept and thrown by the next {@link #submit} or {@link #await};
 * tasks submitted after it do not run. One thread submits; not otherwise thread-safe.
 */
final class Parallel implements AutoCloseable {
  /** Work that may fail with an I/O error. */
  @FunctionalInterface
  interface Task {
    void run() throws IOException;
  }

  private final int width;
  private final Semaphore running;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  Parallel(int width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be at least 1, got " + width);
    }
    this.width = width;
    this.running = new Semaphore(width);
  }

  /** Runs {@code task} once a slot is free; throws an earlier task's failure instead, if any. */
  void submit(Task task) throws IOException {
    rethrow();
    running.acquireUninterruptibly();
    if (failure.get() != null) {
      running.release();
      rethrow();
    }
    Thread.ofVirtual()
        .name("edfs-admin-", 0)
        .start(
            () -> {
              try {
                task.run();
              } catch (Throwable t) {
                failure.compareAndSet(null, t);
              } finally {
                running.release();
              }
            });
  }

  /** Waits until every submitted task has ended; throws the first failure, if any. */
  void await() throws IOException {
    running.acquireUninterruptibly(width);
    running.release(width);
    rethrow();
  }

  private void rethrow() throws IOException {
    Throwable t = failure.get();
    switch (t) {
      case null -> {}
      case IOException io -> throw io;
      case UncheckedIOException io -> throw io.getCause();
      case RuntimeException r -> throw r;
      case Error e -> throw e;
      default -> throw new IOException(t);
    }
  }

  /** Waits for the running tasks, without throwing: for cleaning up after a failure. */
  @Override
  public void close() {
    running.acquireUninterruptibly(width);
    running.release(width);
  }
}
