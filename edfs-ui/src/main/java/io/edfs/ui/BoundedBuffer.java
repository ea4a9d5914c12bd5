package io.edfs.ui;

import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;

/** A byte buffer that refuses to grow past a limit, so a read cannot fill the heap. */
final class BoundedBuffer extends ByteArrayOutputStream {
  private final int limit;
  private final Supplier<? extends RuntimeException> tooLarge;

  BoundedBuffer(int limit, Supplier<? extends RuntimeException> tooLarge) {
    super(Math.min(limit, 64 * 1024));
    this.limit = limit;
    this.tooLarge = tooLarge;
  }

  @Override
  public synchronized void write(int b) {
    if (count + 1 > limit) {
      throw tooLarge.get();
    }
    super.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if ((long) count + len > limit) {
      throw tooLarge.get();
    }
    super.write(b, off, len);
  }
}
