package io.edfs.server;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What repairing a mirrored block store did: a block one side lacked was copied from the other,
 * and (when verifying) a corrupt copy was replaced by the other side's good one.
 *
 * @param first the first side, for people (never with a credential)
 * @param second the second side
 * @param blocksChecked distinct blocks looked at, on either side
 * @param copiedToFirst blocks only the second side had, now on both
 * @param copiedToSecond blocks only the first side had, now on both
 * @param replaced corrupt copies replaced by the other side's good one
 * @param unrepairable hashes of blocks with no good copy on either side ({@code fsck} names the
 *     files that need them)
 * @param elapsed how long the repair took
 */
public record RepairSummary(
    String first,
    String second,
    long blocksChecked,
    long copiedToFirst,
    long copiedToSecond,
    long replaced,
    List<String> unrepairable,
    Duration elapsed) {
  /** Copies the list. */
  public RepairSummary {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    unrepairable = List.copyOf(unrepairable);
    Objects.requireNonNull(elapsed, "elapsed");
  }
}
