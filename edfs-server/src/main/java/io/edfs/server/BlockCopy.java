package io.edfs.server;

import java.time.Duration;

/**
 * What copying a snapshot's blocks from one store to another did (a backup, a restore).
 *
 * @param copied blocks copied, each verified against its SHA-256 on arrival
 * @param present blocks the destination had already (incremental: not copied again)
 * @param bytesCopied bytes of the copied blocks
 * @param skipped blocks no version referred to that the source no longer had (the garbage
 *     collector removed them after the snapshot was taken); their rows are dropped on restore
 */
public record BlockCopy(long copied, long present, long bytesCopied, long skipped) {
  /** Validates the counts. */
  public BlockCopy {
    if (copied < 0 || present < 0 || bytesCopied < 0 || skipped < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: copied "
              + copied
              + ", present "
              + present
              + ", bytes "
              + bytesCopied
              + ", skipped "
              + skipped);
    }
  }

  /** Copied bytes per second over {@code elapsed}, in MiB/s (0 when no time passed). */
  public double mibPerSecond(Duration elapsed) {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : bytesCopied / (1024.0 * 1024.0) / seconds;
  }
}
