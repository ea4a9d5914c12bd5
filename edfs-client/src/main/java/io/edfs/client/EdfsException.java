package io.edfs.client;

/** Root of the SDK's exceptions: what went wrong as a {@link Reason}, plus a message for people. */
public class EdfsException extends RuntimeException {
  /** Why an operation failed; stable, so callers can branch on it. */
  public enum Reason {
    INVALID_CREDENTIALS,
    UNKNOWN_USER,
    USER_EXISTS,
    UNAUTHENTICATED,
    NAME_EXISTS,
    NOT_FOUND,
    FORBIDDEN,
    INVALID_NAME,
    VERSION_CONFLICT,
    NOT_EMPTY,
    NOT_A_FOLDER,
    NOT_A_FILE,
    INVALID_MOVE,
    QUOTA_EXCEEDED,
    RATE_LIMITED,
    TOO_LARGE,
    BAD_REQUEST,
    UNREACHABLE,
    /** The server answers but cannot serve now (e.g. its database is down): try again shortly. */
    UNAVAILABLE,
    CERTIFICATE_CHANGED,
    TAMPERED,
    SERVER_ERROR,
    IO
  }

  private final Reason reason;

  public EdfsException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public EdfsException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
