package io.edfs.protocol;

/**
 * Salt and Argon2id parameters for a user. For an unknown user the server answers with a
 * stable fake salt, so this cannot be used to probe which usernames exist.
 */
public record PreloginResponse(byte[] salt, KdfParams kdf) {}
