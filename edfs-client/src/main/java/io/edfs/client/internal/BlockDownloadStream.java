package io.edfs.client.internal;

import io.edfs.client.EdfsException;
import io.edfs.protocol.BlockRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The ciphertext of a version as one stream, fetching up to {@code parallelism} blocks ahead
 * on virtual threads. Each block is checked against its length; its content needs no hash
 * check, as the decryption that reads this stream authenticates every segment, its position
 * and the end. Memory is bounded by {@code parallelism} blocks. Not thread-safe.
 */
public final class BlockDownloadStream extends InputStream {
  private final Transport transport;
  private final List<BlockRef> refs;
  private final IntFunction<String> blockPath;
  private final int parallelism;
  private final ExecutorService downloads = Executors.newVirtualThreadPerTaskExecutor();
  private final Deque<Future<byte[]>> ahead = new ArrayDeque<>();
  private int nextToFetch;
  private byte[] current = new byte[0];
  private int pos;

  /**
   * @param blockPath the request path of block {@code i} of the version
   */
  public BlockDownloadStream(
      Transport transport, List<BlockRef> refs, IntFunction<String> blockPath, int parallelism) {
    this.transport = transport;
    this.refs = refs;
    this.blockPath = blockPath;
    this.parallelism = parallelism;
    refill();
  }

  private void refill() {
    while (ahead.size() < parallelism && nextToFetch < refs.size()) {
      int index = nextToFetch++;
      ahead.add(downloads.submit(() -> fetch(index)));
    }
  }

  private byte[] fetch(int index) throws IOException {
    BlockRef ref = refs.get(index);
    if (ref.length() > Integer.MAX_VALUE - 8) {
      throw new IOException("block " + index + " too large: " + ref.length());
    }
    byte[] data;
    try (InputStream in = transport.getBlock(blockPath.apply(index))) {
      data = in.readNBytes((int) ref.length());
      if (data.length != ref.length() || in.read() != -1) {
        throw new IOException("block " + index + " has the wrong length");
      }
    }
    return data;
  }

  private boolean advance() throws IOException {
    while (pos == current.length) {
      Future<byte[]> next = ahead.poll();
      if (next == null) {
        return false;
      }
      try {
        current = next.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("download interrupted");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof EdfsException edfs) {
          throw edfs;
        }
        throw new IOException(e.getCause().getMessage(), e.getCause());
      }
      pos = 0;
      refill();
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    return advance() ? current[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public void close() {
    ahead.forEach(f -> f.cancel(true));
    downloads.shutdownNow();
  }
}
