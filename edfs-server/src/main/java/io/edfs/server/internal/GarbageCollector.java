package io.edfs.server.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Removes blocks that no version lists once they have been unreferenced for the grace period, and
 * adopts blocks the store holds without a row (docs/design-notes.md, "Garbage collection"). Safe to
 * run on several nodes at once and alongside any uploads and commits: every step is a conditional
 * transaction. The maintenance lease only keeps the nodes from doing the same work twice.
 */
final class GarbageCollector {
  /** Rows handled per transaction: short transactions, few locks held at a time. */
  static final int BATCH = 64;

  /** Hashes checked for a row per query while listing the store. */
  private static final int LISTING_BATCH = 500;

  /** Orphans adopted per round at most (the rest next round), to bound the memory a round needs. */
  static final int MAX_ORPHANS = 100_000;

  /** What one round did. {@code complete} is false when it stopped early. */
  record Round(long adopted, long doomed, long deleted, long bytesFreed, boolean complete) {
    @Override
    public String toString() {
      return "adopted "
          + adopted
          + " orphan block(s), doomed "
          + doomed
          + ", deleted "
          + deleted
          + " ("
          + bytesFreed
          + " bytes freed)"
          + (complete ? "" : ", stopped early");
    }
  }

  private final Database db;
  private final VersionStore versions;
  private final Blocks blocks;
  private final BlockStore store;
  private final Duration grace;

  GarbageCollector(
      Database db, VersionStore versions, Blocks blocks, BlockStore store, Duration grace) {
    this.db = db;
    this.versions = versions;
    this.blocks = blocks;
    this.store = store;
    this.grace = grace;
  }

  /**
   * One round: lists the store and adopts orphans, then dooms the blocks whose grace period is
   * over, then deletes every doomed block (including any an earlier round left). Checks {@code
   * keepGoing} between batches and stops when it turns false.
   *
   * @throws IOException if the store's listing fails (then nothing was adopted, doomed or deleted)
   *     or a deletion fails (the rows stay doomed for the next round)
   */
  Round collect(BooleanSupplier keepGoing) throws IOException {
    List<BlockStore.Stored> orphans;
    try {
      orphans = orphans(keepGoing);
    } catch (Stopped e) {
      return new Round(0, 0, 0, 0, false);
    }
    long adopted = 0;
    for (BlockStore.Stored orphan : orphans) {
      if (!keepGoing.getAsBoolean()) {
        return new Round(adopted, 0, 0, 0, false);
      }
      Blocks.Recorded r =
          Blocks.io(() -> db.write(c -> blocks.record(c, orphan.hash(), orphan.length())));
      if (r == Blocks.Recorded.LIVE) {
        adopted++;
      }
    }
    long graceMillis = grace.toMillis();
    long doomed = 0;
    while (keepGoing.getAsBoolean()) {
      List<String> due = db.read(c -> versions.unreferencedBefore(c, graceMillis, BATCH));
      int n =
          db.write(
              c -> {
                int marked = 0;
                for (String hash : sorted(due)) {
                  marked += versions.doom(c, hash, graceMillis) ? 1 : 0;
                }
                return marked;
              });
      doomed += n;
      if (due.size() < BATCH || n == 0) {
        break;
      }
    }
    long deleted = 0;
    long freed = 0;
    while (keepGoing.getAsBoolean()) {
      List<String> batch = db.read(c -> versions.doomed(c, BATCH));
      long[] done =
          Blocks.io(
              () ->
                  db.write(
                      c -> {
                        long[] counts = new long[2];
                        for (String hash : batch) { // hash order, like every locker of block rows
                          long bytes = blocks.deleteDoomed(c, hash);
                          if (bytes >= 0) {
                            counts[0]++;
                            counts[1] += bytes;
                          }
                        }
                        return counts;
                      }));
      deleted += done[0];
      freed += done[1];
      if (batch.size() < BATCH || done[0] == 0) {
        return new Round(adopted, doomed, deleted, freed, true);
      }
    }
    return new Round(adopted, doomed, deleted, freed, false);
  }

  /**
   * The blocks the store holds without a row, older than the grace period (younger ones may be
   * uploads between storing and recording). Reads the whole listing before anything is changed:
   * when it fails part way, the round ends here.
   */
  private List<BlockStore.Stored> orphans(BooleanSupplier keepGoing) throws IOException {
    long cutoff = db.read(versions::now) - grace.toMillis();
    List<BlockStore.Stored> orphans = new ArrayList<>();
    List<BlockStore.Stored> pending = new ArrayList<>();
    store.list(
        block -> {
          if (!keepGoing.getAsBoolean()) {
            throw new Stopped();
          }
          if (block.modified().toEpochMilli() >= cutoff || orphans.size() >= MAX_ORPHANS) {
            return;
          }
          pending.add(block);
          if (pending.size() == LISTING_BATCH) {
            unrecorded(pending, orphans);
          }
        });
    unrecorded(pending, orphans);
    return orphans;
  }

  /** Moves {@code pending} into {@code orphans}, keeping only blocks without a row. */
  private void unrecorded(List<BlockStore.Stored> pending, List<BlockStore.Stored> orphans) {
    Set<String> recorded =
        db.read(c -> versions.recorded(c, pending.stream().map(BlockStore.Stored::hash).toList()));
    for (BlockStore.Stored b : pending) {
      if (!recorded.contains(b.hash()) && orphans.size() < MAX_ORPHANS) {
        orphans.add(b);
      }
    }
    pending.clear();
  }

  /** Ends a listing early: this node stopped maintenance. */
  private static final class Stopped extends IOException {
    Stopped() {
      super("stopped", null);
    }
  }

  private static List<String> sorted(List<String> hashes) {
    return hashes.stream().sorted().toList();
  }
}
