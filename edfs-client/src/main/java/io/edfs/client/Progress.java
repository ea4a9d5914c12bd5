package io.edfs.client;

/** Receives progress of a transfer, in plaintext bytes. Called from one thread at a time. */
@FunctionalInterface
public interface Progress {
  /** Nothing to report to. */
  Progress NONE = bytes -> {};

  /** {@code bytes} more plaintext bytes were transferred. */
  void advance(long bytes);

  /** The total, once known (before the first {@link #advance}). */
  default void total(long bytes) {}

  /** The transfer finished. */
  default void done() {}
}
