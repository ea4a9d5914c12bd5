package io.edfs.crypto.v1;

/** File and folder name rules of format v1. */
public final class Names {
  /** Longest name, in UTF-8 bytes after NFC normalisation. */
  public static final int MAX_BYTES = 255;

  private Names() {}

  /**
   * Returns the NFC-normalised name if it is allowed: non-empty, no {@code /}, no NUL, not
   * {@code .} or {@code ..}, at most 255 UTF-8 bytes; otherwise throws {@link
   * InvalidNameException} saying which rule it breaks.
   */
  public static String validate(String name) {
    throw new UnsupportedOperationException("TODO");
  }
}
