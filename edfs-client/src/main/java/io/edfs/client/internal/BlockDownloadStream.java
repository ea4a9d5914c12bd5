package io.edfs.client.internal;

import io.edfs.client.EdfsException;
import io.edfs.crypto.v1.TamperedException;
import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The ciphertext of a version as one stream, fetching up to {@code parallelism} blocks ahead
 * on virtual threads. Each block is checked against its length; its content needs no hash
 * check, as the decryption that reads this stream authenticates every segment, its position
 * and the end. Memory is bounded by {@code parallelism + 1} block buffers, which are reused
 * (a fresh 4 MiB array per block would be a humongous allocation and zeroed for nothing). Not
 * thread-safe.
 */
public final class BlockDownloadStream extends InputStream {
  private record Block(byte[] data, int length) {}

  private final Transport transport;
  private final List<BlockRef> refs;
  private final IntFunction<String> blockPath;
  private final int parallelism;
  private final ExecutorService downloads = Executors.newVirtualThreadPerTaskExecutor();
  private final Deque<Future<Block>> ahead = new ArrayDeque<>();
  /** Buffers free for the next fetch: at most parallelism in flight plus the one being read. */
  private final BlockingQueue<byte[]> free;
  private int nextToFetch;
  private Block current = new Block(new byte[0], 0);
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
    this.free = new ArrayBlockingQueue<>(parallelism + 1);
    refill();
  }

  private void refill() {
    while (ahead.size() < parallelism && nextToFetch < refs.size()) {
      int index = nextToFetch++;
      byte[] buffer = free.poll();
      ahead.add(downloads.submit(() -> fetch(index, buffer)));
    }
  }

  private Block fetch(int index, byte[] buffer) throws IOException {
    BlockRef ref = refs.get(index);
    if (ref.length() > Integer.MAX_VALUE - 8) {
      throw new IOException("block " + index + " too large: " + ref.length());
    }
    int length = (int) ref.length();
    byte[] data = buffer != null && buffer.length >= length ? buffer : new byte[length];
    try {
      if (refs.size() == 1 && length <= CommitRequest.MAX_INLINE_BYTES) {
        transport.readSmallBlock(blockPath.apply(index), data, length);
      } else {
        transport.readBlock(blockPath.apply(index), data, length);
      }
    } catch (BlockConnections.WrongLength e) {
      // the committed block list says otherwise: as much an integrity failure as a bad segment
      var tampered = new TamperedException("block " + index + " has the wrong length (" + e.getMessage() + ")");
      throw new IOException(tampered.getMessage(), tampered);
    }
    return new Block(data, length);
  }

  private boolean advance() throws IOException {
    while (pos == current.length()) {
      Future<Block> next = ahead.poll();
      if (next == null) {
        return false;
      }
      Block done = current;
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
      if (done.data().length > 0) {
        free.offer(done.data()); // consumed: the next fetch may fill it
      }
      pos = 0;
      refill();
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    return advance() ? current.data()[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int n = Math.min(len, current.length() - pos);
    System.arraycopy(current.data(), pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public void close() {
    ahead.forEach(f -> f.cancel(true));
    downloads.shutdownNow();
  }
}
