package io.edfs.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What a restore did: the snapshot it loaded, the blocks it copied into the target store, and how
 * many referenced blocks it found present when it verified the result.
 *
 * @param snapshot the restored snapshot's name
 * @param backup where the backup is, for people (never with a credential)
 * @param blockStore the block store restored into, for people (never with a credential)
 * @param metadata the rows loaded per table
 * @param blocks what was copied from the backup into the target block store
 * @param verified distinct blocks the restored metadata refers to, each found in the target store
 * @param elapsed how long the whole restore took
 */
public record RestoreSummary(
    String snapshot,
    String backup,
    String blockStore,
    DumpSummary metadata,
    BlockCopy blocks,
    long verified,
    Duration elapsed) {
  /** Checks that nothing is missing. */
  public RestoreSummary {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(backup, "backup");
    Objects.requireNonNull(blockStore, "blockStore");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(blocks, "blocks");
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Bytes copied per second of the whole restore, in MiB/s. */
  public double mibPerSecond() {
    return blocks.mibPerSecond(elapsed);
  }
}
