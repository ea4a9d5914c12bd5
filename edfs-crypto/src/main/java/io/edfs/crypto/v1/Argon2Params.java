package io.edfs.crypto.v1;

/**
 * Argon2id cost parameters. Validated on construction: memory 8 MiB..4 GiB (in KiB), iterations
 * 1..100, parallelism 1..16.
 */
public record Argon2Params(int memoryKib, int iterations, int parallelism) {
  /** m=64 MiB, t=3, p=1. */
  public static final Argon2Params DEFAULT = new Argon2Params(64 * 1024, 3, 1);

  /** Throws {@link IllegalArgumentException} naming the value out of range and the range. */
  public Argon2Params {
    check("memoryKib", memoryKib, 8 * 1024, 4 * 1024 * 1024);
    check("iterations", iterations, 1, 100);
    check("parallelism", parallelism, 1, 16);
  }

  private static void check(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "Argon2 " + what + " is " + value + "; allowed " + min + ".." + max);
    }
  }
}
