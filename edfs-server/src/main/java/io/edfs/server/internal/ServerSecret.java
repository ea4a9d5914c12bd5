package io.edfs.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's 32 random bytes ({@code server.secret}, mode 0600): the pepper of stored auth hashes
 * and the key of fake prelogin salts. The bytes never leave this class. Thread-safe.
 */
final class ServerSecret {
  static final int LENGTH = 32;
  /** The secret's file in a data folder (and in a backup). */
  static final String FILE_NAME = "server.secret";
  private final SecretKeySpec key;

  private ServerSecret(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    Arrays.fill(secret, (byte) 0);
  }

  /** Reads the secret, creating it on first start. */
  static ServerSecret loadOrCreate(Path file, SecureRandom random) throws IOException {
    if (!Files.exists(file)) {
      byte[] fresh = new byte[LENGTH];
      random.nextBytes(fresh);
      PrivateFiles.writeAtomically(file, fresh);
      return new ServerSecret(fresh);
    }
    return new ServerSecret(readRaw(file));
  }

  /**
   * The secret's raw bytes, for a backup to copy and a restore to compare: the one deliberate way
   * out of this class. The caller wipes them when done.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws IOException if it cannot be read or is not a secret
   */
  static byte[] readRaw(Path file) throws IOException {
    return checkRaw(Files.readAllBytes(file), file.toString());
  }

  /**
   * Returns {@code bytes} if they can be a secret (read from {@code where}); wipes them and throws
   * otherwise.
   */
  static byte[] checkRaw(byte[] bytes, String where) throws IOException {
    if (bytes.length != LENGTH) {
      Arrays.fill(bytes, (byte) 0);
      throw new IOException(
          where
              + " must hold exactly "
              + LENGTH
              + " bytes, has "
              + bytes.length
              + "; restore it from a backup (a new one would invalidate every password)");
    }
    return bytes;
  }

  /** HMAC-SHA256(pepper, authKey): what the database stores instead of the auth key. */
  byte[] authHash(byte[] authKey) {
    return hmac(authKey);
  }

  /**
   * A value that tells whether two nodes hold the same secret without revealing it: hex of the
   * first 16 bytes of HMAC("edfs/cluster-check").
   */
  String checkValue() {
    return HexFormat.of()
        .formatHex(Arrays.copyOf(hmac("edfs/cluster-check".getBytes(StandardCharsets.UTF_8)), 16));
  }

  /** A stable salt for a username that has no account: 16 bytes of HMAC("prelogin|" + name). */
  byte[] fakeSalt(String username) {
    return Arrays.copyOf(hmac(("prelogin|" + username).getBytes(StandardCharsets.UTF_8)), 16);
  }

  private byte[] hmac(byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
