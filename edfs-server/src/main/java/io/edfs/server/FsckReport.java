package io.edfs.server;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code fsck} found in a server's metadata and blocks, and what it repaired. Findings name
 * rows by id and blocks by hash, never by (encrypted) name or content.
 *
 * @param blockStore the block store checked, for people (never with a credential)
 * @param blocksChecked blocks whose whole content was read and hashed (each side of a mirror
 *     counts)
 * @param bytesRead bytes read doing so
 * @param found how many findings of each kind (exact, even when {@code findings} is cut short)
 * @param repaired how many findings of each kind were repaired
 * @param findings the findings, at most {@link #MAX_LISTED}
 * @param elapsed how long the check took
 */
public record FsckReport(
    String blockStore,
    long blocksChecked,
    long bytesRead,
    Map<Kind, Long> found,
    Map<Kind, Long> repaired,
    List<Finding> findings,
    Duration elapsed) {
  /** Findings kept in {@link #findings}; the counts go on beyond it. */
  public static final int MAX_LISTED = 1000;

  /** Copies the maps and the list. */
  public FsckReport {
    found = Collections.unmodifiableMap(copy(found));
    repaired = Collections.unmodifiableMap(copy(repaired));
    Objects.requireNonNull(blockStore, "blockStore");
    findings = List.copyOf(findings);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  private static Map<Kind, Long> copy(Map<Kind, Long> counts) {
    Map<Kind, Long> m = new EnumMap<>(Kind.class);
    m.putAll(counts);
    return m;
  }

  /** What a finding is about. */
  public enum Kind {
    /** A version lists a block that has no {@code blocks} row, or one being deleted. */
    UNKNOWN_BLOCK("unknown block", false),
    /** A block's {@code refs} differs from the number of version entries naming it. */
    WRONG_REFS("wrong refs count", false),
    /** A block with a row is not in the block store. */
    MISSING_BLOCK("missing block", false),
    /** A stored block's bytes do not hash to its name, or have another length than its row. */
    CORRUPT_BLOCK("corrupt block", false),
    /** A file version that cannot be read (it needs an unknown, missing or corrupt block). */
    LOST_VERSION("lost file version", false),
    /** A node's current version is not one of its versions. */
    BAD_CURRENT_VERSION("bad current version", false),
    /** A user's {@code used_bytes} is not the sum of the sizes of the versions they keep. */
    WRONG_USED_BYTES("wrong used bytes", false),
    /** A stored block without a row: no version can refer to it; it only takes space. */
    ORPHAN_BLOCK("orphan block", true);

    private final String label;
    private final boolean harmless;

    Kind(String label, boolean harmless) {
      this.label = label;
      this.harmless = harmless;
    }

    /** A few words for people, e.g. {@code missing block}. */
    public String label() {
      return label;
    }

    /** Whether this finding does no harm to any user's data (it is reported, not a failure). */
    public boolean harmless() {
      return harmless;
    }
  }

  /**
   * One thing found.
   *
   * @param kind what it is
   * @param subject the block hash, node id or user id it is about
   * @param detail one line for people, with the counts and ids that matter
   * @param repaired whether {@code --repair} fixed it
   */
  public record Finding(Kind kind, String subject, String detail, boolean repaired) {
    /** Checks that nothing is missing. */
    public Finding {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** How many findings of {@code kind} there were. */
  public long count(Kind kind) {
    return found.getOrDefault(kind, 0L);
  }

  /** How many problems remain: findings that are not harmless and were not repaired. */
  public long unresolved() {
    return found.entrySet().stream()
        .filter(e -> !e.getKey().harmless())
        .mapToLong(e -> e.getValue() - repaired.getOrDefault(e.getKey(), 0L))
        .sum();
  }

  /** Whether all is well now: nothing found but harmless findings, or everything repaired. */
  public boolean healthy() {
    return unresolved() == 0;
  }
}
