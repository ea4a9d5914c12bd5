package io.edfs.protocol;

/** Logs in with the authentication key derived from the password. */
public record LoginRequest(String username, byte[] authKey) {}
