package io.edfs.protocol;

import java.time.Instant;

/** A new session: the bearer token, when it expires, and the account it belongs to. */
public record SessionResponse(String token, Instant expiresAt, Account account) {}
