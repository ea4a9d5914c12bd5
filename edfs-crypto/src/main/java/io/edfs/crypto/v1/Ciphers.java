package io.edfs.crypto.v1;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.AesSivParameters;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.AesSiv;
import com.google.crypto.tink.subtle.Hkdf;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/** The Tink primitives of format v1, built from raw key bytes (no Tink output prefix). */
final class Ciphers {
  static final int KEY_BYTES = 32;
  static final int SIV_KEY_BYTES = 64;

  private static final AesGcmParameters AES_GCM;
  private static final AesSivParameters AES_SIV;

  static {
    try {
      AES_GCM =
          AesGcmParameters.builder()
              .setKeySizeBytes(KEY_BYTES)
              .setIvSizeBytes(12)
              .setTagSizeBytes(16)
              .setVariant(AesGcmParameters.Variant.NO_PREFIX)
              .build();
      AES_SIV =
          AesSivParameters.builder()
              .setKeySizeBytes(SIV_KEY_BYTES)
              .setVariant(AesSivParameters.Variant.NO_PREFIX)
              .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Ciphers() {}

  /** HKDF-SHA256 with an empty salt. */
  static byte[] hkdf(byte[] ikm, String info, int length) {
    try {
      return Hkdf.computeHkdf(
          "HMACSHA256", ikm, new byte[0], info.getBytes(StandardCharsets.UTF_8), length);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("HKDF-SHA256 unavailable", e);
    }
  }

  /** AES-256-GCM: output is 12-byte random nonce || ciphertext || 16-byte tag. */
  static Aead aesGcm(byte[] key) {
    try {
      return AesGcmJce.create(
          AesGcmKey.builder()
              .setParameters(AES_GCM)
              .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
              .build());
    } catch (GeneralSecurityException e) {
      throw new CryptoException("AES-256-GCM unavailable", e);
    }
  }

  /** AES-SIV with a 64-byte key. */
  static DeterministicAead aesSiv(byte[] key) {
    try {
      return AesSiv.create(
          AesSivKey.builder()
              .setParameters(AES_SIV)
              .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
              .build());
    } catch (GeneralSecurityException e) {
      throw new CryptoException("AES-SIV unavailable", e);
    }
  }

  /** Streaming AES-GCM-HKDF: SHA-256, 32-byte derived keys, first segment offset 0. */
  static StreamingAead streaming(byte[] key, int segmentSize) {
    try {
      AesGcmHkdfStreamingParameters parameters =
          AesGcmHkdfStreamingParameters.builder()
              .setKeySizeBytes(KEY_BYTES)
              .setDerivedAesGcmKeySizeBytes(KEY_BYTES)
              .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
              .setCiphertextSegmentSizeBytes(segmentSize)
              .build();
      return AesGcmHkdfStreaming.create(
          AesGcmHkdfStreamingKey.create(
              parameters, SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())));
    } catch (GeneralSecurityException e) {
      throw new CryptoException("streaming AES-GCM-HKDF unavailable", e);
    }
  }

  static byte[] encrypt(Aead aead, byte[] plaintext, byte[] ad) {
    try {
      return aead.encrypt(plaintext, ad);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("AES-256-GCM encryption failed", e);
    }
  }

  /** Decrypts or throws {@link TamperedException} naming {@code what}. */
  static byte[] decrypt(Aead aead, byte[] ciphertext, byte[] ad, String what) {
    try {
      return aead.decrypt(ciphertext, ad);
    } catch (GeneralSecurityException e) {
      throw new TamperedException(what, e);
    }
  }
}
