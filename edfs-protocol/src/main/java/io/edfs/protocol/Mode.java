package io.edfs.protocol;

/** The mode of a grant: {@code R} read, {@code W} write (which includes read). */
public enum Mode {
  R,
  W
}
