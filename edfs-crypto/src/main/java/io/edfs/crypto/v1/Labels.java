package io.edfs.crypto.v1;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/** The derivation labels and associated-data strings of format v1. */
final class Labels {
  static final String AUTH = "edfs/v1/auth";
  static final String MASTER = "edfs/v1/master";
  static final String NAME = "edfs/v1/name";
  static final String WRAP = "edfs/v1/wrap";
  static final String CONTENT = "edfs/v1/content";
  static final String META = "edfs/v1/meta";
  static final String HOME = "edfs/v1/home";
  static final String KEY = "edfs/v1/key";
  static final String ACCOUNT = "edfs/v1/account";
  static final String SHARE = "edfs/v1/share";

  private Labels() {}

  /** UTF-8 of {@code label|id1|id2...}, ids in canonical lowercase form. */
  static byte[] ad(String label, UUID... ids) {
    StringBuilder s = new StringBuilder(label);
    for (UUID id : ids) {
      s.append('|').append(id);
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * UTF-8 of {@code edfs/v1/key|<childId>|<parentId>|<hex SHA-256 of encName>}: a child's wrapped
   * key, bound to the child's encrypted name (lowercase hex).
   */
  static byte[] childKey(UUID childId, UUID parentId, byte[] encName) {
    Objects.requireNonNull(encName, "encName");
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(encName);
    } catch (NoSuchAlgorithmException e) {
      throw new CryptoException("SHA-256 unavailable", e);
    }
    return (KEY + '|' + childId + '|' + parentId + '|' + HexFormat.of().formatHex(digest))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** UTF-8 of {@code edfs/v1/share|<nodeId>|<granteeId>|<mode>}; mode must be R or W. */
  static byte[] share(UUID nodeId, UUID granteeId, String mode) {
    if (!mode.equals("R") && !mode.equals("W")) {
      throw new IllegalArgumentException("mode is '" + mode + "'; must be R or W");
    }
    return (SHARE + '|' + nodeId + '|' + granteeId + '|' + mode).getBytes(StandardCharsets.UTF_8);
  }
}
