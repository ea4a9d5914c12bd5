package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import java.time.Duration;
import java.util.Collection;
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

  /**
   * A commit names blocks the server does not have: never uploaded, or uploaded so long before the
   * commit (longer than the garbage collector's grace period) that they were removed meanwhile.
   * Either way the client must upload them again; the message lists the first few.
   */
  static ApiException missingBlocks(Collection<String> hashes) {
    int shown = Math.min(hashes.size(), MISSING_SHOWN);
    return new ApiException(
        ErrorType.MISSING_BLOCKS,
        hashes.size()
            + " block(s) not uploaded, or removed as unused because the commit came more than the"
            + " server's grace period after their upload; upload the content again: "
            + String.join(", ", hashes.stream().limit(shown).toList())
            + (hashes.size() > shown ? " and " + (hashes.size() - shown) + " more" : ""));
  }

  private static final int MISSING_SHOWN = 10;

  /**
   * Block {@code hash} was removed by the garbage collector while this request stored it (an
   * earlier copy with the same hash had been unused for the whole grace period): sending it again
   * will succeed.
   */
  static ApiException collected(String hash) {
    return new ApiException(
        ErrorType.UNAVAILABLE,
        "block "
            + hash
            + " was removed as unused while this request stored it; send it again",
        null,
        Duration.ofSeconds(1));
  }

  static ApiException rateLimited(Duration retryAfter) {
    return new ApiException(
        ErrorType.RATE_LIMITED,
        "too many failed logins; retry in " + Math.max(1, retryAfter.toSeconds()) + " s",
        null,
        retryAfter);
  }
}
