package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every block on two stores (the {@code mirror:URI,URI} block store), so that losing or damaging
 * either one loses nothing. Thread-safe.
 *
 * <ul>
 *   <li>{@link #put} spools and checks the block once, then stores it on both sides at the same
 *       time and returns only when both have it: an acknowledged block is on both. When one side
 *       fails the put fails, and the other side may keep its (complete, correct) copy: harmless,
 *       the garbage collector removes blocks no version uses, and a retry stores it again.
 *   <li>{@link #open} reads from the first side whose copy is intact: it reads that copy whole
 *       (at most 16 MiB, spooled like an upload), checks its SHA-256, and only then hands it out;
 *       a missing copy, a read error or a wrong hash there moves on to the second side, with one
 *       warning in the log. So a read succeeds while either side has a good copy, and never
 *       returns bytes that do not match the hash, whatever the offset. It does not write the good
 *       copy back: {@link #repair} does, when asked.
 *   <li>{@link #contains}: either side; {@link #delete}: both; {@link #list}: the union, each
 *       block once.
 * </ul>
 */
final class MirrorBlockStore implements BlockStore, Repairable {
  private static final Logger LOG = LoggerFactory.getLogger(MirrorBlockStore.class);

  private final BlockStore first;
  private final BlockStore second;
  private final Spool spool;

  MirrorBlockStore(BlockStore first, BlockStore second, Spool spool) {
    this.first = first;
    this.second = second;
    this.spool = spool;
  }

  /** The first side, read first. */
  BlockStore first() {
    return first;
  }

  BlockStore second() {
    return second;
  }

  @Override
  public void put(String hash, long length, InputStream in) throws IOException {
    try (Spool.Spooled block = spool.receive(hash, length, in, false)) {
      // both sides at once: the slower one sets the time, not the sum
      FutureTask<Void> onSecond =
          new FutureTask<>(
              () -> {
                try (InputStream copy = block.open(0)) {
                  second.put(hash, length, copy);
                }
                return null;
              });
      Thread.ofVirtual().name("mirror-put-", 0).start(onSecond);
      Exception firstFailure = null;
      try (InputStream copy = block.open(0)) {
        first.put(hash, length, copy);
      } catch (IOException | RuntimeException e) {
        firstFailure = e;
      }
      Exception secondFailure = outcome(onSecond);
      if (firstFailure != null || secondFailure != null) {
        throw failure(
            "block " + hash + " is not stored on both sides",
            firstFailure,
            secondFailure,
            "stored",
            "stored");
      }
    }
  }

  @Override
  public boolean contains(String hash) throws IOException {
    IOException firstFailure = null;
    try {
      if (first.contains(hash)) {
        return true;
      }
    } catch (IOException e) {
      firstFailure = e;
    }
    try {
      if (second.contains(hash)) {
        return true;
      }
    } catch (IOException e) {
      throw failure("cannot tell whether block " + hash + " is stored", firstFailure, e, "absent", "absent");
    }
    if (firstFailure != null) {
      throw failure("cannot tell whether block " + hash + " is stored", firstFailure, null, "absent", "absent");
    }
    return false;
  }

  @Override
  public InputStream open(String hash, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
    Read a = readIntact(first, hash);
    if (a.copy != null) {
      return a.copy.handOver(offset);
    }
    Read b = readIntact(second, hash);
    if (b.copy != null) {
      LOG.warn(
          "block {}: {}: {}; read from {} instead (a repair of the mirror restores it)",
          hash,
          first.describe(),
          reason(first, a.failure()),
          second.describe());
      return b.copy.handOver(offset);
    }
    if (a.missing() && b.missing()) {
      throw new NoSuchFileException(hash, null, "block is on neither side of the " + describe());
    }
    throw failure("no intact copy of block " + hash, a.failure(), b.failure(), "", "");
  }

  /** The outcome of reading one side's copy: the verified copy, or what was wrong. */
  private record Read(Spool.Spooled copy, Exception error, String actualHash) {
    boolean missing() {
      return error instanceof NoSuchFileException;
    }

    Exception failure() {
      return error != null ? error : new IOException("corrupt (its bytes hash to " + actualHash + ")");
    }
  }

  private Read readIntact(BlockStore side, String hash) {
    try (InputStream in = side.open(hash, 0)) {
      Spool.Spooled copy = spool.readAll(in, Checks.MAX_BLOCK_BYTES);
      if (copy.sha256().equals(hash)) {
        return new Read(copy, null, null);
      }
      copy.close();
      return new Read(null, null, copy.sha256());
    } catch (IOException | RuntimeException e) {
      return new Read(null, e, null);
    }
  }

  @Override
  public void delete(String hash) throws IOException {
    Exception firstFailure = null;
    try {
      first.delete(hash);
    } catch (IOException | RuntimeException e) {
      firstFailure = e;
    }
    try {
      second.delete(hash);
    } catch (IOException | RuntimeException e) {
      throw failure("cannot delete block " + hash, firstFailure, e, "deleted", "deleted");
    }
    if (firstFailure != null) {
      throw failure("cannot delete block " + hash, firstFailure, null, "deleted", "deleted");
    }
  }

  @Override
  public void list(Visitor each) throws IOException {
    BlockHashSet seen = new BlockHashSet();
    first.list(
        b -> {
          seen.add(b.hash());
          each.visit(b);
        });
    second.list(
        b -> {
          if (!seen.contains(b.hash())) {
            each.visit(b);
          }
        });
  }

  /**
   * What {@link #repair} found and did.
   *
   * @param checked distinct blocks looked at (on either side)
   * @param copiedToSecond blocks only the first side had, now on both
   * @param copiedToFirst blocks only the second side had, now on both
   * @param corruptReplaced copies whose bytes did not match their hash, replaced by the other
   *     side's good copy (only when verifying)
   * @param unrepairable blocks with no good copy on either side (each also logged)
   */
  record Repair(
      long checked,
      long copiedToSecond,
      long copiedToFirst,
      long corruptReplaced,
      List<String> unrepairable) {}

  /**
   * Makes both sides hold every block either holds: copies what one side lacks from the other,
   * and, when {@code verify}, reads every block on both sides and replaces a copy whose hash is
   * wrong with the other side's good one. Without {@code verify} it costs two listings of each
   * side plus the copies; with it, reading everything twice. Uploads may go on meanwhile. A block
   * the garbage collector deletes meanwhile may be copied back to one side: harmless, it is
   * collected again.
   *
   * @throws IOException if a side cannot be listed, read or written; what was copied stays copied
   */
  Repair repair(boolean verify) throws IOException {
    long[] count = new long[4]; // checked, copiedToSecond, copiedToFirst, corruptReplaced
    List<String> unrepairable = new ArrayList<>();
    List<String> fixFirst = new ArrayList<>();
    BlockHashSet onSecond = new BlockHashSet();
    second.list(b -> onSecond.add(b.hash()));
    BlockHashSet onFirst = new BlockHashSet();
    // writes go only to the side not being listed: a listing need not see its own changes
    first.list(
        b -> {
          String hash = b.hash();
          onFirst.add(hash);
          count[0]++;
          if (!onSecond.contains(hash)) {
            copy(first, second, b, count, 1, unrepairable);
          } else if (verify) {
            boolean firstGood = intact(first, hash);
            boolean secondGood = intact(second, hash);
            if (firstGood && !secondGood) {
              replace(second, first, hash);
              count[3]++;
            } else if (!firstGood && secondGood) {
              fixFirst.add(hash);
            } else if (!firstGood) {
              lost(hash, unrepairable);
            }
          }
        });
    second.list(
        b -> {
          if (!onFirst.contains(b.hash())) {
            count[0]++;
            copy(second, first, b, count, 2, unrepairable);
          }
        });
    for (String hash : fixFirst) {
      replace(first, second, hash);
      count[3]++;
    }
    Repair r = new Repair(count[0], count[1], count[2], count[3], List.copyOf(unrepairable));
    LOG.info(
        "repair of the {}{}: {} blocks checked, {} copied to the second side, {} to the first, {}"
            + " corrupt copies replaced, {} without a good copy",
        describe(),
        verify ? " (verifying every copy)" : "",
        r.checked(),
        r.copiedToSecond(),
        r.copiedToFirst(),
        r.corruptReplaced(),
        r.unrepairable().size());
    return r;
  }

  /**
   * The background worker's repair, after each garbage collection round: {@link #repair(boolean)}
   * without reading every copy (that would read every block twice each round).
   */
  @Override
  public void repair(BooleanSupplier keepGoing) throws IOException {
    repair(false);
  }

  /** Copies a block one side lacks; a corrupt only copy counts as unrepairable. */
  private static void copy(
      BlockStore from, BlockStore to, Stored b, long[] count, int counter, List<String> unrepairable)
      throws IOException {
    try (InputStream in = from.open(b.hash(), 0)) {
      to.put(b.hash(), b.length(), in); // checks the hash: a corrupt copy is not spread
      count[counter]++;
    } catch (NoSuchFileException e) {
      // deleted since it was listed
    } catch (ApiException e) {
      if (e.type() != ErrorType.HASH_MISMATCH) {
        throw e;
      }
      lost(b.hash(), unrepairable);
    }
  }

  /** Overwrites {@code to}'s copy with {@code from}'s (checked) one. */
  private void replace(BlockStore to, BlockStore from, String hash) throws IOException {
    try (InputStream in = from.open(hash, 0);
        Spool.Spooled good = spool.readAll(in, Checks.MAX_BLOCK_BYTES);
        InputStream copy = good.open(0)) {
      to.put(hash, good.length(), copy);
    }
    LOG.warn("block {}: replaced the corrupt copy on {} with the one from {}", hash, to.describe(), from.describe());
  }

  private static void lost(String hash, List<String> unrepairable) {
    unrepairable.add(hash);
    LOG.error("block {}: no intact copy on either side of the mirror", hash);
  }

  /** Whether {@code side}'s copy of {@code hash} hashes right (false if it vanished). */
  private static boolean intact(BlockStore side, String hash) throws IOException {
    MessageDigest sha256 = Spool.digest("SHA-256");
    byte[] buf = new byte[Spool.IN_MEMORY];
    try (InputStream in = side.open(hash, 0)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        sha256.update(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      return false;
    }
    return HexFormat.of().formatHex(sha256.digest()).equals(hash);
  }

  /**
   * The marker both sides agree on; a side that cannot be reached is left out (the mirror runs
   * without it), and a side without a marker does not count against the other's.
   *
   * @throws IOException if the sides name different installations, or neither can be read
   */
  @Override
  public Optional<String> readMarker() throws IOException {
    Optional<String> a;
    Optional<String> b;
    try {
      a = first.readMarker();
    } catch (BlockStoreUnavailableException e) {
      return second.readMarker();
    }
    try {
      b = second.readMarker();
    } catch (BlockStoreUnavailableException e) {
      return a;
    }
    if (a.isPresent() && b.isPresent() && !a.equals(b)) {
      throw new IOException(
          "the two sides of the "
              + describe()
              + " belong to different installations (their "
              + MARKER
              + " markers differ)");
    }
    return a.isPresent() ? a : b;
  }

  @Override
  public void writeMarker(String installation) throws IOException {
    Exception onFirst = null;
    Exception onSecond = null;
    try {
      first.writeMarker(installation);
    } catch (IOException | RuntimeException e) {
      onFirst = e;
    }
    try {
      second.writeMarker(installation);
    } catch (IOException | RuntimeException e) {
      onSecond = e;
    }
    if (onFirst != null || onSecond != null) {
      throw failure("the marker " + MARKER + " is not written on both sides", onFirst, onSecond, "written", "written");
    }
  }

  @Override
  public String describe() {
    return "mirror of " + first.describe() + " and " + second.describe();
  }

  @Override
  public void close() {
    try {
      first.close();
    } finally {
      second.close();
    }
  }

  @Override
  public String toString() {
    return "MirrorBlockStore[" + describe() + "]";
  }

  private static Exception outcome(FutureTask<Void> task) {
    try {
      task.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof Exception x ? x : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new IOException("interrupted while waiting for the second side", e);
    }
  }

  /**
   * One exception for a failure on one or both sides, naming each side's outcome; unavailable
   * (worth retrying) if a failing side was unavailable.
   */
  private IOException failure(String what, Exception onFirst, Exception onSecond, String firstOk, String secondOk) {
    String message =
        what
            + " of the mirror: "
            + first.describe()
            + ": "
            + (onFirst == null ? firstOk : reason(first, onFirst))
            + "; "
            + second.describe()
            + ": "
            + (onSecond == null ? secondOk : reason(second, onSecond));
    Exception cause = onFirst != null ? onFirst : onSecond;
    boolean unavailable =
        onFirst instanceof BlockStoreUnavailableException || onSecond instanceof BlockStoreUnavailableException;
    IOException e = unavailable ? new BlockStoreUnavailableException(message, cause) : new IOException(message, cause);
    if (onFirst != null && onSecond != null) {
      e.addSuppressed(onSecond);
    }
    return e;
  }

  /** One line for a side's failure, without the side's name when its message starts with it. */
  private static String reason(BlockStore side, Exception e) {
    String m = oneLine(e);
    String name = side.describe() + ": ";
    return m.startsWith(name) ? m.substring(name.length()) : m;
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof NoSuchFileException) {
      return "missing";
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
