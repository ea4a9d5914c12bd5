package io.edfs.server.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Blocks as files {@code ROOT/ab/cd/<hash>} on a local or shared file system (the {@code file:}
 * block store). A block is streamed to {@code ROOT/.tmp/} while being hashed, fsynced, renamed into
 * place atomically and its folders fsynced: a crash leaves either the complete block or none (plus,
 * at worst, a temp file removed later). Never holds a whole block in memory. Several server nodes
 * may share one root: temp names are unique, and a node removes only temp files old enough that no
 * upload can still be writing them.
 */
final class DiskBlockStore implements BlockStore {
  /**
   * Bytes hashed and written at a time. The request body arrives in TLS-record-sized pieces (16
   * KiB); gathering 256 KiB first cuts the file writes 16-fold. Below G1's humongous threshold
   * (half a region, 512 KiB at -Xmx256m), so the buffer is an ordinary short-lived allocation.
   */
  static final int BUFFER_SIZE = 256 << 10;
  /**
   * A temp file untouched this long belongs to no running upload (uploads write continuously and
   * the server ends idle connections after 60 s); another node sharing the root may still be
   * writing younger ones.
   */
  static final Duration STALE_PART = Duration.ofHours(1);

  private final Path blocks;
  private final Path tmp;

  /** A store in folder {@code root}, created if missing (the data folder's own {@code blocks/}). */
  DiskBlockStore(Path root) throws IOException {
    this(root, true);
  }

  private DiskBlockStore(Path root, boolean create) throws IOException {
    this.blocks = root;
    this.tmp = root.resolve(".tmp");
    if (create) {
      Files.createDirectories(blocks);
    } else if (!Files.isDirectory(blocks)) {
      // a shared file system that is not mounted looks like a missing folder: creating it would
      // start an empty store on the local disk
      throw new IOException(
          "the block store folder "
              + root
              + " does not exist (is its file system mounted?): create it, or correct --blocks");
    }
    Files.createDirectories(tmp);
    removeStaleParts(tmp, Instant.now().minus(STALE_PART));
  }

  /**
   * A store in folder {@code root}, which must exist: an explicit {@code file:} store is never
   * created, as its folder is often a network mount.
   */
  static DiskBlockStore existing(Path root) throws IOException {
    return new DiskBlockStore(root, false);
  }

  /**
   * Removes the temp files ({@code *.part}) in {@code dir} of uploads that stopped before {@code
   * cutoff} (the node died); younger ones may belong to another node's running upload.
   */
  static void removeStaleParts(Path dir, Instant cutoff) throws IOException {
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*.part")) {
      for (Path p : leftovers) {
        try {
          if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(p);
          }
        } catch (NoSuchFileException e) {
          // its upload finished meanwhile
        }
      }
    }
  }

  @Override
  public void put(String hash, long length, InputStream in) throws IOException {
    Path part = tmp.resolve(UUID.randomUUID() + ".part");
    boolean stored = false;
    try {
      try (FileChannel out =
          FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        MessageDigest sha256 = sha256();
        byte[] buf = new byte[BUFFER_SIZE];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long total = 0;
        while (total < length) {
          int want = (int) Math.min(buf.length, length - total);
          int n = in.readNBytes(buf, 0, want);
          if (n < want) {
            throw new EOFException(
                "block upload ended after " + (total + n) + " of " + length + " bytes");
          }
          sha256.update(buf, 0, n);
          bb.clear().limit(n);
          while (bb.hasRemaining()) {
            out.write(bb);
          }
          total += n;
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(hash)) {
          throw new ApiException(
              io.edfs.protocol.ErrorType.HASH_MISMATCH,
              "the " + length + " bytes sent hash to " + actual + ", not " + hash);
        }
        // fdatasync: the data and what is needed to read it back (size, extents); the name becomes
        // durable with the folder's fsync below. Skipping the inode's timestamps saves a journal write.
        out.force(false);
      }
      Path target = path(hash);
      Path dir = target.getParent();
      Files.createDirectories(dir);
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      stored = true;
      // The block's name is durable once cd/ is fsynced, and cd/ itself only once ab/ and blocks/
      // are: fsync the whole chain on every upload. Skipping the parents when ab/cd/ already exists
      // is wrong: a racing upload may have just created it and not yet fsynced its parents, and we
      // would acknowledge a block a power failure could still lose. The parents rarely change, so
      // their fsyncs are cheap.
      PrivateFiles.fsyncDirectory(dir);
      PrivateFiles.fsyncDirectory(dir.getParent());
      PrivateFiles.fsyncDirectory(blocks);
    } finally {
      if (!stored) {
        Files.deleteIfExists(part);
      }
    }
  }

  @Override
  public boolean contains(String hash) {
    return Files.isRegularFile(path(hash));
  }

  @Override
  public InputStream open(String hash, long offset) throws IOException {
    FileChannel ch = FileChannel.open(path(hash), StandardOpenOption.READ);
    try {
      ch.position(offset);
      return Channels.newInputStream(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public void delete(String hash) throws IOException {
    Files.deleteIfExists(path(hash));
  }

  @Override
  public void list(Visitor each) throws IOException {
    try (DirectoryStream<Path> level1 = Files.newDirectoryStream(blocks, DiskBlockStore::isHexPair)) {
      for (Path d1 : level1) {
        try (DirectoryStream<Path> level2 = Files.newDirectoryStream(d1, DiskBlockStore::isHexPair)) {
          for (Path d2 : level2) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d2)) {
              for (Path f : files) {
                String name = f.getFileName().toString();
                if (!Checks.isHash(name)) {
                  continue;
                }
                BasicFileAttributes a;
                try {
                  a = Files.readAttributes(f, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                  continue; // deleted while listing
                }
                each.visit(new Stored(name, a.size(), a.lastModifiedTime().toInstant()));
              }
            }
          }
        }
      }
    }
  }

  @Override
  public Optional<String> readMarker() throws IOException {
    try {
      return Optional.of(Files.readString(blocks.resolve(MARKER), StandardCharsets.UTF_8).strip());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void writeMarker(String installation) throws IOException {
    Path part = tmp.resolve(UUID.randomUUID() + ".part");
    try {
      try (FileChannel out =
          FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bb = ByteBuffer.wrap((installation + "\n").getBytes(StandardCharsets.UTF_8));
        while (bb.hasRemaining()) {
          out.write(bb);
        }
        out.force(false);
      }
      Files.move(part, blocks.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
      PrivateFiles.fsyncDirectory(blocks);
    } finally {
      Files.deleteIfExists(part);
    }
  }

  @Override
  public String describe() {
    return "folder " + blocks;
  }

  private static boolean isHexPair(Path p) {
    String n = p.getFileName().toString();
    return n.length() == 2 && HexFormat.isHexDigit(n.charAt(0)) && HexFormat.isHexDigit(n.charAt(1))
        && Files.isDirectory(p);
  }

  Path path(String hash) {
    if (!Checks.isHash(hash)) {
      throw new IllegalArgumentException("not a block hash");
    }
    return blocks.resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4)).resolve(hash);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
