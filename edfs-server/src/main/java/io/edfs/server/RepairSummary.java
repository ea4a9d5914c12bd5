package io.edfs.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What repairing a mirrored block store did: every block was compared on both sides, and a side
 * that lacked a block or held a corrupt copy got the good copy from the other.
 *
 * @param blocksChecked blocks looked at on both sides
 * @param copied blocks one side lacked, copied from the other
 * @param replaced corrupt copies replaced by the other side's good one
 * @param unrecoverable blocks neither side holds intact (run {@code fsck} to learn which files
 *     they belong to)
 * @param elapsed how long the repair took
 */
public record RepairSummary(
    long blocksChecked, long copied, long replaced, long unrecoverable, Duration elapsed) {
  /** Checks that nothing is missing. */
  public RepairSummary {
    Objects.requireNonNull(elapsed, "elapsed");
  }
}
