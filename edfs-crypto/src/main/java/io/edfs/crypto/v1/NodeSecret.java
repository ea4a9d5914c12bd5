package io.edfs.crypto.v1;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.subtle.Random;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A folder's or file's random 32-byte secret and the keys HKDF-SHA256 derives from it: {@code
 * nameKey} (64 bytes, AES-SIV, info {@code edfs/v1/name}) for the names of its children, {@code
 * wrapKey} (AES-256-GCM, info {@code edfs/v1/wrap}) for its children's secrets, {@code contentKey}
 * (info {@code edfs/v1/content}) for a file's contents. Thread-safe; wipe with {@link #close()}.
 */
public final class NodeSecret implements AutoCloseable {
  /** Secret length in bytes. */
  public static final int BYTES = 32;

  private final byte[] secret;
  private boolean closed;
  // Derived lazily, under this object's lock: a folder never needs contentKey, a file no nameKey.
  private DeterministicAead nameAead;
  private Aead wrapAead;
  private Aead metaAead;
  private byte[] contentKey;
  private final Map<Integer, StreamingAead> contentAeads = new HashMap<>();

  private NodeSecret(byte[] secret) {
    this.secret = secret;
  }

  /** A fresh random secret. */
  public static NodeSecret random() {
    return new NodeSecret(Random.randBytes(BYTES));
  }

  /** A secret from its raw bytes (copied). A deliberate call: test vectors, unwrapping. */
  public static NodeSecret fromBytes(byte[] raw) {
    if (raw.length != BYTES) {
      throw new IllegalArgumentException("a node secret is " + BYTES + " bytes, not " + raw.length);
    }
    return new NodeSecret(raw.clone());
  }

  /** A copy of the raw secret. A deliberate call: sealing, wrapping. */
  public synchronized byte[] rawBytes() {
    checkOpen();
    return secret.clone();
  }

  /**
   * Encrypts the name of a child of this folder: validated and NFC-normalised by {@link
   * Names#validate}, then AES-SIV under this node's nameKey, associated data {@code
   * edfs/v1/name|<thisId>}. Deterministic: the same name under the same folder always gives the
   * same bytes, so the server can enforce unique names without reading them.
   */
  public byte[] encryptChildName(String name, UUID thisId) {
    byte[] plaintext = Names.validate(name).getBytes(StandardCharsets.UTF_8);
    byte[] ad = Labels.ad(Labels.NAME, thisId);
    try {
      return nameAead().encryptDeterministically(plaintext, ad);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("AES-SIV encryption failed", e);
    }
  }

  /** Reverses {@link #encryptChildName}; {@link TamperedException} on any mismatch. */
  public String decryptChildName(byte[] encName, UUID thisId) {
    Objects.requireNonNull(encName, "encName");
    byte[] ad = Labels.ad(Labels.NAME, thisId);
    byte[] plaintext;
    try {
      plaintext = nameAead().decryptDeterministically(encName, ad);
    } catch (GeneralSecurityException e) {
      throw new TamperedException("name of a child of " + thisId, e);
    }
    return Names.decode(plaintext);
  }

  /**
   * Wraps a child's secret under this node's wrapKey (AES-256-GCM), associated data {@code
   * edfs/v1/key|<childId>|<thisId>|<sha256(childEncName)>} (SHA-256 of the child's encrypted name
   * as given by {@link #encryptChildName}, in lowercase hex).
   *
   * <p>The encrypted name is bound in so that a name and a node belong together: the name's
   * AES-SIV binds it only to the parent, so without this a server could swap the names of two
   * siblings, move a name to another node, or answer a lookup of one name with a sibling, and the
   * client would not notice. Renaming a node therefore re-wraps its key under the new name.
   */
  public byte[] wrapChild(NodeSecret child, UUID childId, UUID thisId, byte[] childEncName) {
    Objects.requireNonNull(child, "child");
    byte[] ad = Labels.childKey(childId, thisId, childEncName);
    byte[] raw = child.rawBytes();
    try {
      return Ciphers.encrypt(wrapAead(), raw, ad);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * Reverses {@link #wrapChild}; {@link TamperedException} on any mismatch, including an encrypted
   * name other than the one the key was wrapped with (a name moved to another node, or a sibling
   * returned for a lookup).
   */
  public NodeSecret unwrapChild(byte[] wrapped, UUID childId, UUID thisId, byte[] childEncName) {
    Objects.requireNonNull(wrapped, "wrapped");
    byte[] ad = Labels.childKey(childId, thisId, childEncName);
    return unwrapped(Ciphers.decrypt(wrapAead(), wrapped, ad, "key of " + childId));
  }

  /**
   * A stream that encrypts what is written to it into {@code ciphertext}: Tink streaming AEAD
   * AES-GCM-HKDF (SHA-256, 32-byte derived keys, ciphertext segment size {@code segmentSize}) keyed
   * by this file's contentKey, associated data {@code edfs/v1/content|<fileId>|<versionId>}.
   * Closing it writes the last segment and closes {@code ciphertext}.
   */
  public OutputStream encryptingStream(
      OutputStream ciphertext, UUID fileId, UUID versionId, int segmentSize) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    byte[] ad = Labels.ad(Labels.CONTENT, fileId, versionId);
    StreamingAead aead = contentAead(segmentSize);
    try {
      return aead.newEncryptingStream(ciphertext, ad);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("streaming encryption unavailable", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the content header", e);
    }
  }

  /**
   * A stream of the plaintext of {@code ciphertext}. Reading throws an {@link java.io.IOException}
   * whose cause chain contains a {@link TamperedException}-worthy failure (wrapped as {@code
   * IOException}) if any byte, the ids, the segment order or the end was changed; it never returns
   * unauthenticated bytes.
   */
  public InputStream decryptingStream(
      InputStream ciphertext, UUID fileId, UUID versionId, int segmentSize) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    byte[] ad = Labels.ad(Labels.CONTENT, fileId, versionId);
    StreamingAead aead = contentAead(segmentSize);
    // The IOException's cause is a TamperedException; an IOException of the source passes as is.
    DecryptingStream.Source source = new DecryptingStream.Source(ciphertext);
    try {
      return new DecryptingStream(
          source,
          aead.newDecryptingStream(source, ad),
          "content of file " + fileId + " version " + versionId);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("streaming decryption unavailable", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // Tink reads nothing before the first read()
    }
  }

  /**
   * Encrypts a file version's metadata: AES-256-GCM under this file's metaKey (HKDF info {@code
   * edfs/v1/meta}), associated data {@code edfs/v1/meta|<fileId>|<versionId>}, so that the server
   * can neither read it nor move it to another file or version.
   */
  public byte[] sealMeta(byte[] plaintext, UUID fileId, UUID versionId) {
    return Ciphers.encrypt(metaAead(), plaintext, Labels.ad(Labels.META, fileId, versionId));
  }

  /** Reverses {@link #sealMeta}; {@link TamperedException} on any mismatch. */
  public byte[] openMeta(byte[] sealed, UUID fileId, UUID versionId) {
    Objects.requireNonNull(sealed, "sealed");
    return Ciphers.decrypt(metaAead(), sealed, Labels.ad(Labels.META, fileId, versionId), "metadata of version " + versionId);
  }

  /** Wipes the secret and drops every key derived from it; later use throws. */
  @Override
  public synchronized void close() {
    closed = true;
    Arrays.fill(secret, (byte) 0);
    if (contentKey != null) {
      Arrays.fill(contentKey, (byte) 0);
    }
    contentKey = null;
    nameAead = null;
    wrapAead = null;
    metaAead = null;
    contentAeads.clear();
  }

  /** Takes ownership of {@code raw}, an authenticated plaintext, and wipes it. */
  static NodeSecret unwrapped(byte[] raw) {
    try {
      if (raw.length != BYTES) {
        throw new CryptoException("wrapped key holds " + raw.length + " bytes, not " + BYTES);
      }
      return fromBytes(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private synchronized DeterministicAead nameAead() {
    checkOpen();
    if (nameAead == null) {
      byte[] key = Ciphers.hkdf(secret, Labels.NAME, Ciphers.SIV_KEY_BYTES);
      nameAead = Ciphers.aesSiv(key);
      Arrays.fill(key, (byte) 0);
    }
    return nameAead;
  }

  private synchronized Aead wrapAead() {
    checkOpen();
    if (wrapAead == null) {
      byte[] key = Ciphers.hkdf(secret, Labels.WRAP, Ciphers.KEY_BYTES);
      wrapAead = Ciphers.aesGcm(key);
      Arrays.fill(key, (byte) 0);
    }
    return wrapAead;
  }

  private synchronized Aead metaAead() {
    checkOpen();
    if (metaAead == null) {
      byte[] key = Ciphers.hkdf(secret, Labels.META, Ciphers.KEY_BYTES);
      metaAead = Ciphers.aesGcm(key);
      Arrays.fill(key, (byte) 0);
    }
    return metaAead;
  }

  private synchronized StreamingAead contentAead(int segmentSize) {
    ContentFormat.checkSegmentSize(segmentSize);
    checkOpen();
    if (contentKey == null) {
      contentKey = Ciphers.hkdf(secret, Labels.CONTENT, Ciphers.KEY_BYTES);
    }
    return contentAeads.computeIfAbsent(segmentSize, s -> Ciphers.streaming(contentKey, s));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("node secret is closed");
    }
  }
}
