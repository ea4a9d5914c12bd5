package io.edfs.protocol;

import java.util.Arrays;
import java.util.Optional;

/** The stable error types of REST v1, with their HTTP status. */
public enum ErrorType {
  BAD_REQUEST("bad-request", 400, "Malformed request"),
  INVALID_NAME("invalid-name", 400, "Invalid name"),
  HASH_MISMATCH("hash-mismatch", 400, "Block content does not match its hash"),
  MISSING_BLOCKS("missing-blocks", 400, "Commit references blocks the server does not have"),
  INVALID_MOVE("invalid-move", 400, "A folder cannot be moved into itself"),
  UNAUTHENTICATED("unauthenticated", 401, "Not logged in or session expired"),
  INVALID_CREDENTIALS("invalid-credentials", 401, "Wrong username or password"),
  FORBIDDEN("forbidden", 403, "Not allowed"),
  NOT_FOUND("not-found", 404, "Not found"),
  UNKNOWN_USER("unknown-user", 404, "Unknown user"),
  NAME_EXISTS("name-exists", 409, "Name exists"),
  USER_EXISTS("user-exists", 409, "Username taken"),
  VERSION_CONFLICT("version-conflict", 409, "Version conflict"),
  NOT_EMPTY("not-empty", 409, "Folder is not empty"),
  TOO_LARGE("too-large", 413, "Request too large"),
  QUOTA_EXCEEDED("quota-exceeded", 507, "Quota exceeded"),
  RATE_LIMITED("rate-limited", 429, "Too many attempts"),
  UNAVAILABLE("unavailable", 503, "Service unavailable"),
  INTERNAL("internal", 500, "Internal server error");

  private final String slug;
  private final int status;
  private final String title;

  ErrorType(String slug, int status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  /** The stable {@code type} string used on the wire. */
  public String slug() {
    return slug;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public static Optional<ErrorType> fromSlug(String slug) {
    return Arrays.stream(values()).filter(t -> t.slug.equals(slug)).findFirst();
  }
}
