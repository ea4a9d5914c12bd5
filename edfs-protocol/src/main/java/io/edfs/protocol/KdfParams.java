package io.edfs.protocol;

/** Argon2id parameters stored per user: memory in KiB, iterations, parallelism. */
public record KdfParams(int memoryKib, int iterations, int parallelism) {}
