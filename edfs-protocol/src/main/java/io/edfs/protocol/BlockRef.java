package io.edfs.protocol;

/** One storage block of a version's ciphertext: lowercase hex SHA-256 and length in bytes. */
public record BlockRef(String hash, long length) {}
