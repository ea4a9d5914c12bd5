package io.edfs.crypto.v1;

/**
 * Argon2id cost parameters. Validated on construction: memory 8 MiB..4 GiB (in KiB),
 * iterations 1..100, parallelism 1..16.
 */
public record Argon2Params(int memoryKib, int iterations, int parallelism) {
  /** m=64 MiB, t=3, p=1. */
  public static final Argon2Params DEFAULT = new Argon2Params(64 * 1024, 3, 1);

  public Argon2Params {
    // TODO implement: validate ranges, message names the value and the allowed range
  }
}
