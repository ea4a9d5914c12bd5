package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The server's one domain exception: a request cannot be served, for a reason with a stable {@link
 * ErrorType}. {@link Problems} turns it into a problem+json response. The message is the problem's
 * {@code detail}: it may name ids and sizes, never secrets or plaintext.
 */
final class ApiException extends RuntimeException {
  private final ErrorType type;
  private final UUID currentVersionId;
  private final Duration retryAfter;

  ApiException(ErrorType type, String detail) {
    this(type, detail, null, null);
  }

  private ApiException(ErrorType type, String detail, UUID currentVersionId, Duration retryAfter) {
    // expected control flow: no stack trace needed
    super(detail, null, false, false);
    this.type = type;
    this.currentVersionId = currentVersionId;
    this.retryAfter = retryAfter;
  }

  ErrorType type() {
    return type;
  }

  Optional<UUID> currentVersionId() {
    return Optional.ofNullable(currentVersionId);
  }

  Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  static ApiException badRequest(String detail) {
    return new ApiException(ErrorType.BAD_REQUEST, detail);
  }

  static ApiException notFound(String detail) {
    return new ApiException(ErrorType.NOT_FOUND, detail);
  }

  static ApiException forbidden(String detail) {
    return new ApiException(ErrorType.FORBIDDEN, detail);
  }

  static ApiException tooLarge(String detail) {
    return new ApiException(ErrorType.TOO_LARGE, detail);
  }

  static ApiException versionConflict(UUID currentVersionId) {
    return new ApiException(
        ErrorType.VERSION_CONFLICT,
        currentVersionId == null
            ? "the file has no version yet (baseVersionId must be null)"
            : "the file's current version is " + currentVersionId,
        currentVersionId,
        null);
  }

  static ApiException rateLimited(Duration retryAfter) {
    return new ApiException(
        ErrorType.RATE_LIMITED,
        "too many failed logins; retry in " + Math.max(1, retryAfter.toSeconds()) + " s",
        null,
        retryAfter);
  }
}
