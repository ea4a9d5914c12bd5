package io.edfs.crypto.v1;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.Key;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.HybridConfig;
import com.google.crypto.tink.signature.Ed25519Parameters;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.signature.SignatureConfig;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;

/**
 * The account keysets of format v1 and their binary bundles: version byte 1, then each part as a
 * u32 big-endian length and Tink binary keyset, and for a private bundle the 32-byte account key at
 * the end.
 */
final class Keysets {
  static final byte BUNDLE_VERSION = 1;

  static final HpkeParameters HPKE;
  static final Ed25519Parameters ED25519 = Ed25519Parameters.create();

  static {
    try {
      HPKE =
          HpkeParameters.builder()
              .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
              .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
              .setAeadId(HpkeParameters.AeadId.AES_256_GCM)
              .setVariant(HpkeParameters.Variant.NO_PREFIX)
              .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Tink's global registry, filled on first use: registering loads several hundred classes (about
   * half a second in a fresh JVM), and a command within one's own home folder needs only the
   * account key, never a keyset. Every method below that parses, serializes, generates or builds
   * a primitive calls {@link #ensure()} first; class initialisation runs it once, thread-safe.
   */
  private static final class Registry {
    static {
      try {
        HybridConfig.register();
        SignatureConfig.register();
      } catch (GeneralSecurityException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private Registry() {}

    static void ensure() {
      // the work is in the static initialiser
    }
  }

  private Keysets() {}

  static KeysetHandle generateHpke() {
    return generate(HPKE);
  }

  static KeysetHandle generateEd25519() {
    return generate(ED25519);
  }

  private static KeysetHandle generate(Parameters parameters) {
    Registry.ensure();
    try {
      return KeysetHandle.generateNew(parameters);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot generate " + parameters, e);
    }
  }

  static HybridDecrypt hybridDecrypt(KeysetHandle hpkePrivate) {
    Registry.ensure();
    try {
      return hpkePrivate.getPrimitive(RegistryConfiguration.get(), HybridDecrypt.class);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("HPKE unavailable", e);
    }
  }

  static HybridEncrypt hybridEncrypt(KeysetHandle hpkePublic) {
    Registry.ensure();
    try {
      return hpkePublic.getPrimitive(RegistryConfiguration.get(), HybridEncrypt.class);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("HPKE unavailable", e);
    }
  }

  static KeysetHandle publicHandle(KeysetHandle privateHandle) {
    Registry.ensure();
    try {
      return privateHandle.getPublicKeysetHandle();
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot derive a public keyset", e);
    }
  }

  /** Serialized private keyset: secret, wipe after use. */
  static byte[] serializePrivate(KeysetHandle handle) {
    Registry.ensure();
    try {
      return TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot serialize a private keyset", e);
    }
  }

  static byte[] serializePublic(KeysetHandle handle) {
    Registry.ensure();
    try {
      return TinkProtoKeysetFormat.serializeKeysetWithoutSecret(handle);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot serialize a public keyset", e);
    }
  }

  /** Parses a private keyset whose keys must all be of {@code type} with {@code parameters}. */
  static KeysetHandle parsePrivate(
      byte[] keyset, Class<? extends Key> type, Parameters parameters) {
    Registry.ensure();
    try {
      return checked(
          TinkProtoKeysetFormat.parseKeyset(keyset, InsecureSecretKeyAccess.get()),
          type,
          parameters);
    } catch (GeneralSecurityException | IllegalStateException e) {
      // Tink parses each key when it is first read and reports one that does not parse as an
      // IllegalStateException: a damaged key is malformed input like any other.
      throw new CryptoException("malformed private keyset", e);
    }
  }

  /** Parses a public keyset whose keys must all be of {@code type} with {@code parameters}. */
  static KeysetHandle parsePublic(byte[] keyset, Class<? extends Key> type, Parameters parameters) {
    Registry.ensure();
    try {
      return checked(TinkProtoKeysetFormat.parseKeysetWithoutSecret(keyset), type, parameters);
    } catch (GeneralSecurityException | IllegalStateException e) { // as in parsePrivate
      throw new CryptoException("malformed public keyset", e);
    }
  }

  private static KeysetHandle checked(
      KeysetHandle handle, Class<? extends Key> type, Parameters parameters) {
    for (int i = 0; i < handle.size(); i++) {
      Key key = handle.getAt(i).getKey();
      if (!type.isInstance(key) || !key.getParameters().equals(parameters)) {
        throw new CryptoException(
            "keyset holds a "
                + key.getParameters()
                + "; expected "
                + type.getSimpleName()
                + " "
                + parameters);
      }
    }
    return handle;
  }

  /** Public keys of a grantee, as produced by {@link AccountKeys#publicKeys()}. */
  static KeysetHandle parsePublicBundle(byte[] bundle) {
    List<byte[]> parts = read(bundle, 2, 0, "public keys");
    parsePublic(parts.get(1), Ed25519PublicKey.class, ED25519);
    return parsePublic(parts.get(0), HpkePublicKey.class, HPKE);
  }

  /** Writes version, then each part as u32 length + bytes, then {@code tail} raw. */
  static byte[] write(List<byte[]> parts, byte[] tail) {
    int size = 1 + tail.length;
    for (byte[] part : parts) {
      size += 4 + part.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).put(BUNDLE_VERSION);
    for (byte[] part : parts) {
      out.putInt(part.length).put(part);
    }
    return out.put(tail).array();
  }

  /**
   * Reads {@code count} length-prefixed parts and then exactly {@code tailBytes} bytes, which come
   * back as the last element; {@link CryptoException} if the bytes are not that shape.
   */
  static List<byte[]> read(byte[] bundle, int count, int tailBytes, String what) {
    ByteBuffer in = ByteBuffer.wrap(bundle);
    if (!in.hasRemaining() || in.get() != BUNDLE_VERSION) {
      throw new CryptoException("malformed " + what + ": unknown format version");
    }
    byte[][] parts = new byte[count + (tailBytes > 0 ? 1 : 0)][];
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 4) {
        throw new CryptoException("malformed " + what + ": truncated at byte " + in.position());
      }
      long length = Integer.toUnsignedLong(in.getInt());
      if (length > in.remaining()) {
        throw new CryptoException(
            "malformed "
                + what
                + ": part "
                + i
                + " claims "
                + length
                + " bytes, "
                + in.remaining()
                + " left");
      }
      parts[i] = new byte[(int) length];
      in.get(parts[i]);
    }
    if (in.remaining() != tailBytes) {
      throw new CryptoException(
          "malformed "
              + what
              + ": "
              + in.remaining()
              + " bytes after the keysets; expected "
              + tailBytes);
    }
    if (tailBytes > 0) {
      parts[count] = new byte[tailBytes];
      in.get(parts[count]);
    }
    return Arrays.asList(parts);
  }
}
