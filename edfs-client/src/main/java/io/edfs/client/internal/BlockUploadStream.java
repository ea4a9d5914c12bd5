package io.edfs.client.internal;

import io.edfs.client.EdfsException;
import io.edfs.protocol.BlockRef;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Cuts the ciphertext written to it into blocks, and hashes and uploads each on its own
 * virtual thread while the caller goes on encrypting. Memory is bounded: at most {@code
 * parallelism + 1} block buffers exist; a writer that gets ahead of the uploads waits for a
 * free buffer. Not thread-safe (one writer).
 */
public final class BlockUploadStream extends OutputStream {
  private final Transport transport;
  private final int blockSize;
  private final BlockingQueue<byte[]> free;
  private final ExecutorService uploads = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Future<BlockRef>> blocks = new ArrayList<>();
  private byte[] current;
  private int filled;
  private long total;
  private boolean closed;

  public BlockUploadStream(Transport transport, int blockSize, int parallelism) {
    this.transport = transport;
    this.blockSize = blockSize;
    this.free = new ArrayBlockingQueue<>(parallelism + 1);
    for (int i = 0; i <= parallelism; i++) {
      free.add(new byte[blockSize]);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (current == null) {
        current = take();
        filled = 0;
      }
      int n = Math.min(len, blockSize - filled);
      System.arraycopy(b, off, current, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == blockSize) {
        submit();
      }
    }
  }

  private byte[] take() throws IOException {
    failFast();
    try {
      return free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("upload interrupted");
    }
  }

  private void submit() {
    byte[] data = current;
    int length = filled;
    current = null;
    total += length;
    blocks.add(
        uploads.submit(
            () -> {
              try {
                String hash = sha256(data, length);
                transport.putBlock(hash, data, length);
                return new BlockRef(hash, length);
              } finally {
                free.add(data);
              }
            }));
  }

  private void failFast() throws IOException {
    for (Future<BlockRef> f : blocks) {
      if (f.isDone()) {
        result(f);
      }
    }
  }

  /** Flushes the last block and waits for every upload. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (current != null && filled > 0) {
        submit();
      }
    } finally {
      uploads.shutdown();
    }
    for (Future<BlockRef> f : blocks) {
      result(f);
    }
  }

  /** The uploaded blocks in order; valid after {@link #close()}. */
  public List<BlockRef> blocks() throws IOException {
    List<BlockRef> refs = new ArrayList<>(blocks.size());
    for (Future<BlockRef> f : blocks) {
      refs.add(result(f));
    }
    return refs;
  }

  /** Ciphertext bytes written. */
  public long size() {
    return total + (current == null ? 0 : filled);
  }

  /** Stops uploads still queued after a failure elsewhere. */
  public void abort() {
    uploads.shutdownNow();
  }

  private static BlockRef result(Future<BlockRef> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("upload interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof EdfsException edfs) {
        throw edfs;
      }
      throw new IOException("block upload failed", e.getCause());
    }
  }

  public static String sha256(byte[] data, int length) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, 0, length);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
