package io.edfs.ui;

import io.edfs.client.EdfsException;
import io.edfs.client.VersionConflictException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure as the page receives it: an HTTP status and a JSON body {@code {"error": REASON,
 * "message": sentence}}, the sentence ready to show to the user.
 */
final class UiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String reason;
  final transient Map<String, Object> extra = new LinkedHashMap<>();

  UiError(int status, String reason, String message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }

  Map<String, Object> body() {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("error", reason);
    b.put("message", getMessage());
    b.putAll(extra);
    return b;
  }

  static UiError noKey() {
    return new UiError(
        401,
        "NO_KEY",
        "This page needs the link that 'edfs ui' printed in its terminal. Run 'edfs ui' again, or press Enter in its terminal, for a new link.");
  }

  static UiError badOrigin() {
    return new UiError(403, "BAD_ORIGIN", "This request did not come from the edfs page, so it was refused.");
  }

  static UiError badRequest(String message) {
    return new UiError(400, "BAD_REQUEST", message);
  }

  /**
   * What a failure of the SDK means for the user. {@code subject} is the name (or user name) the
   * operation was about, quoted in the sentence.
   */
  static UiError of(EdfsException e, String subject) {
    String s = "\u201c" + subject + "\u201d";
    return switch (e.reason()) {
      case UNAUTHENTICATED -> new UiError(401, "UNAUTHENTICATED", "You are not logged in (or your session ended). Please log in.");
      case INVALID_CREDENTIALS -> new UiError(401, "INVALID_CREDENTIALS", "Wrong username or password.");
      case UNKNOWN_USER -> new UiError(404, "UNKNOWN_USER", "There is no user named " + s + ".");
      case USER_EXISTS -> new UiError(409, "USER_EXISTS", "The username " + s + " is taken. Choose another one.");
      case NAME_EXISTS -> new UiError(409, "NAME_EXISTS", "Something named " + s + " already exists here.");
      case NOT_FOUND -> new UiError(404, "NOT_FOUND", s + " was not found. It may have been moved, deleted or unshared; reload to see the current state.");
      case FORBIDDEN -> new UiError(403, "FORBIDDEN", "Not allowed: you do not have the right to do this with " + s + " (it may be shared with you read-only).");
      case INVALID_NAME -> new UiError(400, "INVALID_NAME", s + " is not a valid name: a name cannot contain '/' or be '.' or '..'.");
      case VERSION_CONFLICT -> conflict((VersionConflictException) e, s);
      case NOT_EMPTY -> new UiError(409, "NOT_EMPTY", "The folder " + s + " is not empty.");
      case NOT_A_FOLDER -> new UiError(400, "NOT_A_FOLDER", s + " is not a folder.");
      case NOT_A_FILE -> new UiError(400, "NOT_A_FILE", s + " is a folder, not a file.");
      case INVALID_MOVE -> new UiError(400, "INVALID_MOVE", "Cannot move " + s + " there: a folder cannot go into itself, and shared items stay with their owner.");
      case QUOTA_EXCEEDED -> new UiError(507, "QUOTA_EXCEEDED", "Not enough space left in your storage quota for " + s + ".");
      case RATE_LIMITED -> new UiError(429, "RATE_LIMITED", "Too many attempts. Wait a minute and try again.");
      case TOO_LARGE -> new UiError(413, "TOO_LARGE", s + " is too large: " + e.getMessage());
      case BAD_REQUEST -> new UiError(400, "BAD_REQUEST", e.getMessage());
      case UNREACHABLE -> new UiError(503, "UNREACHABLE", "The edfs server is not answering. Check that it is running and reachable, then try again.");
      case UNAVAILABLE -> new UiError(503, "UNAVAILABLE", "The edfs server cannot serve requests right now. Try again in a moment.");
      case CERTIFICATE_CHANGED -> new UiError(502, "CERTIFICATE_CHANGED", e.getMessage());
      case TAMPERED -> new UiError(502, "TAMPERED", s + " failed its integrity check: what the server sent was altered. Nothing was shown or saved.");
      case SERVER_ERROR -> new UiError(502, "SERVER_ERROR", "The edfs server failed to do this. Try again; if it keeps failing, tell its administrator.");
      case IO -> new UiError(500, "IO", e.getMessage());
    };
  }

  private static UiError conflict(VersionConflictException e, String s) {
    UiError u =
        new UiError(
            409, "VERSION_CONFLICT", "Someone else saved a newer version of " + s + " while you were editing. Nothing was overwritten.");
    u.extra.put("currentVersionId", e.currentVersionId().map(Object::toString).orElse(null));
    return u;
  }
}
