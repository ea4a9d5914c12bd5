package io.edfs.protocol;

import java.util.UUID;

/**
 * Creates an account and its home folder. Ids are chosen by the client so that they can be
 * bound into associated data before the rows exist.
 *
 * @param authKey the HKDF-derived authentication key (never the password)
 * @param publicKeys serialized public keysets (HPKE + Ed25519), stored in clear
 * @param privateKeys private keysets encrypted under the user's master key
 * @param homeWrappedKey the home folder's node secret wrapped by the account key
 */
public record SignupRequest(
    UUID userId,
    String username,
    byte[] authKey,
    byte[] salt,
    KdfParams kdf,
    byte[] publicKeys,
    byte[] privateKeys,
    UUID homeId,
    byte[] homeWrappedKey) {}
