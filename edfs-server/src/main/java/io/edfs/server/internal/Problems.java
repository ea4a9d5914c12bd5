package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import io.edfs.protocol.Problem;
import java.io.EOFException;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;

/**
 * The one place that turns failures into RFC 9457 problems: domain errors keep their type and
 * detail; a broken request body is a bad request; anything else is an internal error whose details
 * stay in the server log.
 */
final class Problems {
  /** A problem to send, its extra headers, and whether the failure is a server bug to log. */
  record Mapped(Problem problem, Map<String, String> headers, boolean internal) {}

  private Problems() {}

  static Mapped map(Throwable t) {
    if (t instanceof ApiException e) {
      Map<String, String> headers =
          e.retryAfter()
              .map(d -> Map.of("Retry-After", Long.toString(Math.max(1, ceilSeconds(d)))))
              .orElse(Map.of());
      ErrorType type = e.type();
      return new Mapped(
          new Problem(
              type.slug(),
              type.title(),
              type.status(),
              e.getMessage(),
              e.currentVersionId().orElse(null)),
          headers,
          false);
    }
    if (t instanceof Router.MethodNotAllowed m) {
      return new Mapped(
          new Problem(
              ErrorType.BAD_REQUEST.slug(),
              "Method not allowed",
              405,
              "method " + m.method() + " is not allowed here; allowed: " + m.allowHeader(),
              null),
          Map.of("Allow", m.allowHeader()),
          false);
    }
    if (t instanceof Exchange.BodyReadException || t instanceof EOFException) {
      return new Mapped(
          of(ErrorType.BAD_REQUEST, "the request body ended early or could not be read"),
          Map.of(),
          false);
    }
    if (t instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
      ErrorType type = forStatus(h.getCode());
      return new Mapped(
          new Problem(type.slug(), type.title(), h.getCode(), h.getReason(), null),
          Map.of(),
          false);
    }
    if (t instanceof Database.StorageException s
        && s.kind() != Database.StorageException.Kind.FAILED) {
      String detail =
          s.kind() == Database.StorageException.Kind.UNAVAILABLE
              ? "the metadata database is unavailable; try again shortly"
              : "the metadata database is busy (too many changes at once); try again";
      return new Mapped(of(ErrorType.UNAVAILABLE, detail), Map.of("Retry-After", "1"), false);
    }
    if (t instanceof BlockStoreUnavailableException) {
      return new Mapped(
          of(ErrorType.UNAVAILABLE, "the block store is unavailable; try again shortly"),
          Map.of("Retry-After", "1"),
          false);
    }
    return new Mapped(
        of(ErrorType.INTERNAL, "internal server error; the server log has the details"),
        Map.of(),
        true);
  }

  static Problem of(ErrorType type, String detail) {
    return new Problem(type.slug(), type.title(), type.status(), detail, null);
  }

  /** The error type for an HTTP status Jetty produced itself. */
  static ErrorType forStatus(int status) {
    return switch (status) {
      case 401 -> ErrorType.UNAUTHENTICATED;
      case 403 -> ErrorType.FORBIDDEN;
      case 404 -> ErrorType.NOT_FOUND;
      case 413, 414, 431 -> ErrorType.TOO_LARGE;
      case 429 -> ErrorType.RATE_LIMITED;
      case 503 -> ErrorType.UNAVAILABLE;
      default -> status >= 500 ? ErrorType.INTERNAL : ErrorType.BAD_REQUEST;
    };
  }

  private static long ceilSeconds(java.time.Duration d) {
    return (d.toMillis() + 999) / 1000;
  }
}
