package io.edfs.server.internal;

import static io.edfs.server.internal.ApiException.badRequest;

import io.edfs.protocol.ErrorType;
import io.edfs.protocol.KdfParams;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Input validation shared by the services; every failure names the field and allowed range. */
final class Checks {
  /** Largest JSON request body. */
  static final int MAX_JSON_BYTES = 1 << 20;

  /** Largest storage block. */
  static final long MAX_BLOCK_BYTES = 16L << 20;

  /** Most hashes in one "which blocks are missing" request. */
  static final int MAX_MISSING_HASHES = 10_000;

  /** Largest encrypted name. */
  static final int MAX_ENC_NAME_BYTES = 512;

  /** Largest key blob (public/private keysets, wrapped and sealed keys). */
  static final int MAX_KEY_BYTES = 64 << 10;

  /** Segment sizes a version may declare. */
  static final int MIN_SEGMENT_SIZE = 4096;

  static final int MAX_SEGMENT_SIZE = 8 << 20;

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private Checks() {}

  static <T> T required(T value, String field) {
    if (value == null) {
      throw badRequest("missing field: " + field);
    }
    return value;
  }

  static byte[] bytes(byte[] value, String field, int min, int max) {
    required(value, field);
    if (value.length < min || value.length > max) {
      throw badRequest(
          field
              + (min == max ? " must be exactly " + min : " must be " + min + ".." + max)
              + " bytes, got "
              + value.length);
    }
    return value;
  }

  /** An encrypted name: opaque, 1..512 bytes. */
  static byte[] encName(byte[] value) {
    if (value == null) {
      throw new ApiException(ErrorType.INVALID_NAME, "missing field: encName");
    }
    if (value.length == 0 || value.length > MAX_ENC_NAME_BYTES) {
      throw new ApiException(
          ErrorType.INVALID_NAME,
          "encName must be 1.." + MAX_ENC_NAME_BYTES + " bytes, got " + value.length);
    }
    return value;
  }

  /** A username, case-folded to lowercase; rejects anything outside the rules. */
  static String username(String raw) {
    required(raw, "username");
    String folded = raw.toLowerCase(Locale.ROOT);
    if (!USERNAME.matcher(folded).matches()) {
      throw badRequest(
          "username must be 1..64 characters of a-z, 0-9, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    return folded;
  }

  /** Whether {@code raw} is a valid username once case-folded. */
  static boolean isUsername(String raw) {
    return raw != null && USERNAME.matcher(raw.toLowerCase(Locale.ROOT)).matches();
  }

  static KdfParams kdf(KdfParams kdf) {
    required(kdf, "kdf");
    range(kdf.memoryKib(), 8192, 4_194_304, "kdf.memoryKib");
    range(kdf.iterations(), 1, 100, "kdf.iterations");
    range(kdf.parallelism(), 1, 16, "kdf.parallelism");
    return kdf;
  }

  static long range(long value, long min, long max, String field) {
    if (value < min || value > max) {
      throw badRequest(field + " must be in " + min + ".." + max + ", got " + value);
    }
    return value;
  }

  /** A block hash: 64 lowercase hex characters. */
  static String hash(String value, String field) {
    required(value, field);
    if (!HASH.matcher(value).matches()) {
      throw badRequest(field + " must be 64 lowercase hex characters (SHA-256)");
    }
    return value;
  }

  static boolean isHash(String value) {
    return value != null && HASH.matcher(value).matches();
  }

  static UUID uuid(String value, String field) {
    // UUID.fromString accepts short forms like "1-2-3-4-5"; insist on the canonical 36 characters
    if (value == null || value.length() != 36) {
      throw badRequest(field + " must be a UUID, got '" + abbreviate(value) + "'");
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw badRequest(field + " must be a UUID, got '" + abbreviate(value) + "'");
    }
  }

  private static String abbreviate(String value) {
    if (value == null) {
      return "";
    }
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }
}
