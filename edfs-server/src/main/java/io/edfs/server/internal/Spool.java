package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Holds a block's bytes for the moment a store needs to read them more than once: to hash them
 * before anything else sees them, then send them to S3 (where a retry sends them again) or to both
 * sides of a mirror. Up to {@link #IN_MEMORY} bytes stay on the heap; a larger block goes to a temp
 * file of its own in the spool folder, so memory stays flat whatever the block size and the number
 * of concurrent uploads. Temp files are not fsynced: they only live while one request runs.
 * Thread-safe.
 */
final class Spool {
  /** Blocks up to this size are held in memory (the size of an inline block and of small files). */
  static final int IN_MEMORY = DiskBlockStore.BUFFER_SIZE;

  private final Path dir;

  /** Uses folder {@code dir} (created if missing) and removes what crashed uploads left in it. */
  Spool(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    DiskBlockStore.removeStaleParts(dir, Instant.now().minus(DiskBlockStore.STALE_PART));
  }

  /** The spool folder. */
  Path folder() {
    return dir;
  }

  /**
   * Reads exactly {@code length} bytes from {@code in} and checks that they hash to {@code hash}.
   * Failures of {@code in} propagate as they are.
   *
   * @param md5 whether to compute the MD5 as well (for S3's Content-MD5)
   * @throws ApiException of type {@code hash-mismatch} if the bytes do not hash to {@code hash}
   * @throws EOFException if {@code in} ends before {@code length} bytes
   */
  Spooled receive(String hash, long length, InputStream in, boolean md5) throws IOException {
    MessageDigest sha256 = digest("SHA-256");
    MessageDigest md = md5 ? digest("MD5") : null;
    Spooled s;
    if (length <= IN_MEMORY) {
      byte[] b = in.readNBytes((int) length);
      if (b.length < length) {
        throw new EOFException("block upload ended after " + b.length + " of " + length + " bytes");
      }
      update(sha256, md, b, b.length);
      s = new Spooled(b, null, b.length, sha256, md);
    } else {
      s = toFile(in, new byte[0], length, true, sha256, md);
    }
    if (!s.sha256().equals(hash)) {
      s.close();
      throw new ApiException(
          ErrorType.HASH_MISMATCH,
          "the " + length + " bytes sent hash to " + s.sha256() + ", not " + hash);
    }
    return s;
  }

  /**
   * Reads {@code in} to its end, at most {@code max} bytes: a stored copy whose hash the caller
   * then checks ({@link Spooled#sha256()}).
   *
   * @throws IOException if {@code in} has more than {@code max} bytes
   */
  Spooled readAll(InputStream in, long max) throws IOException {
    MessageDigest sha256 = digest("SHA-256");
    byte[] head = in.readNBytes(IN_MEMORY);
    if (head.length < IN_MEMORY) { // readNBytes stops short only at the end of the stream
      update(sha256, null, head, head.length);
      return new Spooled(head, null, head.length, sha256, null);
    }
    return toFile(in, head, max, false, sha256, null);
  }

  /**
   * Writes {@code head} and then {@code in} to a new temp file: exactly {@code limit} bytes in all
   * when {@code exact}, else up to the end of {@code in} but no more than {@code limit}.
   */
  private Spooled toFile(
      InputStream in, byte[] head, long limit, boolean exact, MessageDigest sha256, MessageDigest md5)
      throws IOException {
    Path file = dir.resolve(UUID.randomUUID() + ".part");
    boolean done = false;
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      update(sha256, md5, head, head.length);
      write(out, head, head.length);
      long total = head.length;
      byte[] buf = new byte[IN_MEMORY];
      while (!exact || total < limit) {
        // one byte past the limit tells a stream that is too long
        int want = (int) Math.min(buf.length, exact ? limit - total : limit - total + 1);
        int n = in.readNBytes(buf, 0, want);
        if (exact && n < want) {
          throw new EOFException(
              "block upload ended after " + (total + n) + " of " + limit + " bytes");
        }
        if (!exact && total + n > limit) {
          throw new IOException("a stored block is longer than " + limit + " bytes");
        }
        update(sha256, md5, buf, n);
        write(out, buf, n);
        total += n;
        if (!exact && n < want) {
          break; // the end of the stream
        }
      }
      done = true;
      return new Spooled(null, file, total, sha256, md5);
    } finally {
      if (!done) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static void update(MessageDigest sha256, MessageDigest md5, byte[] buf, int n) {
    sha256.update(buf, 0, n);
    if (md5 != null) {
      md5.update(buf, 0, n);
    }
  }

  private static void write(FileChannel out, byte[] buf, int n) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
    while (bb.hasRemaining()) {
      out.write(bb);
    }
  }

  static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A spooled block: its bytes in memory or in a temp file, which {@link #close()} deletes. */
  static final class Spooled implements AutoCloseable {
    private final byte[] bytes;
    private final Path file;
    private final long length;
    private final String sha256;
    private final byte[] md5;

    private Spooled(byte[] bytes, Path file, long length, MessageDigest sha256, MessageDigest md5) {
      this.bytes = bytes;
      this.file = file;
      this.length = length;
      this.sha256 = HexFormat.of().formatHex(sha256.digest());
      this.md5 = md5 == null ? null : md5.digest();
    }

    long length() {
      return length;
    }

    /** SHA-256 of the bytes, lowercase hex. */
    String sha256() {
      return sha256;
    }

    /** MD5 of the bytes, when asked for. */
    byte[] md5() {
      if (md5 == null) {
        throw new IllegalStateException("MD5 was not computed");
      }
      return md5.clone();
    }

    /** A fresh stream of the bytes from {@code offset}; may be called any number of times. */
    InputStream open(long offset) throws IOException {
      if (offset < 0) {
        throw new IllegalArgumentException("offset must be >= 0, got " + offset);
      }
      if (bytes != null) {
        int from = (int) Math.min(offset, bytes.length);
        return new ByteArrayInputStream(bytes, from, bytes.length - from);
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(offset);
      return Channels.newInputStream(ch);
    }

    /**
     * Hands the bytes over as a stream from {@code offset} and deletes the temp file at once: the
     * open stream still reads it (POSIX keeps an unlinked file until its last close), and nothing
     * is left behind whether or not the caller closes the stream.
     */
    InputStream handOver(long offset) throws IOException {
      try {
        return open(offset);
      } finally {
        close();
      }
    }

    @Override
    public void close() throws IOException {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    }
  }

  @Override
  public String toString() {
    return "spool " + dir;
  }
}
