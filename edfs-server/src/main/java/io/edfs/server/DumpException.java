package io.edfs.server;

import java.io.IOException;
import java.util.Objects;

/** A metadata dump cannot be written or loaded; {@link #problem()} says why. */
public final class DumpException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Problem {
    /** The input is not an edfs metadata dump (not gzip, not JSON lines, no header). */
    NOT_A_DUMP,
    /** The dump's format or schema version is one this edfs does not read. */
    UNSUPPORTED_VERSION,
    /** The dump ends early or its rows do not add up to its footer's counts. */
    TRUNCATED,
    /** The dump is malformed: not the lines, tables, columns or values this version has. */
    CORRUPT,
    /** The target database already holds metadata; a load only fills an empty one. */
    TARGET_NOT_EMPTY,
    /** The source database is inconsistent (e.g. a node no home folder leads to). */
    INCONSISTENT_SOURCE,
  }

  private final Problem problem;

  public DumpException(Problem problem, String message) {
    super(message);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  public DumpException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  public Problem problem() {
    return problem;
  }
}
