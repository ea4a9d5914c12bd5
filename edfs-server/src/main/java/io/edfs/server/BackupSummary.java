package io.edfs.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What a backup wrote: one snapshot of the metadata, the blocks it refers to that the backup
 * lacked, and the server secret.
 *
 * @param snapshot the snapshot's name (its UTC time, e.g. {@code 20261126T101530.123Z}), as {@code
 *     restore --snapshot} takes it
 * @param backup where the backup is, for people (never with a credential)
 * @param metadata the snapshot's rows per table
 * @param blocks what was copied into the backup's block store
 * @param elapsed how long the whole backup took
 */
public record BackupSummary(
    String snapshot, String backup, DumpSummary metadata, BlockCopy blocks, Duration elapsed) {
  /** Checks that nothing is missing. */
  public BackupSummary {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(backup, "backup");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(blocks, "blocks");
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Bytes copied per second of the whole backup, in MiB/s. */
  public double mibPerSecond() {
    return blocks.mibPerSecond(elapsed);
  }
}
