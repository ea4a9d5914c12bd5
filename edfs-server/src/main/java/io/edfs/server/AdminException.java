package io.edfs.server;

import java.io.IOException;
import java.util.Objects;

/**
 * A backup, restore or repair cannot be done as asked; {@link #problem()} says why. Nothing was
 * published or installed when it is thrown (a backup leaves no snapshot; a restore fails before
 * loading metadata, except where the message says otherwise).
 */
public final class AdminException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Problem {
    /** The folder or bucket is not an edfs backup (or, for a new backup, not empty). */
    NOT_A_BACKUP,
    /** The backup holds no snapshot, or none of the name asked for. */
    NO_SNAPSHOT,
    /** There is no server secret where one must be (the data folder, the backup). */
    NO_SECRET,
    /** The backup and the data folder hold different server secrets: two installations. */
    OTHER_SECRET,
    /** The block store belongs to another installation than the backup (its marker differs). */
    OTHER_INSTALLATION,
    /** A block the metadata refers to is missing from the store it should be copied from. */
    MISSING_BLOCK,
    /** A block's bytes do not hash to its name in the store it should be copied from. */
    CORRUPT_BLOCK,
    /** The command needs a kind of block store the configured one is not (e.g. a mirror). */
    UNSUPPORTED_STORE,
  }

  private final Problem problem;

  public AdminException(Problem problem, String message) {
    super(message);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  public AdminException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  public Problem problem() {
    return problem;
  }
}
