package io.edfs.crypto.v1;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Checks the shape of a Tink binary keyset without Tink or protobuf: a well-formed {@code
 * google.crypto.tink.Keyset} message holding at least one key, every key of one type URL.
 *
 * <p>{@link AccountKeys#importPrivate} parses its keysets only when one is first used (parsing
 * starts Tink's registry, and protobuf alone takes ~0.2 s to load in a fresh JVM), yet a bundle
 * with a missing, swapped or foreign keyset must still be refused at once. This check catches
 * those; Tink's parse at first use checks the rest (parameters, key lengths).
 */
final class KeysetShape {
  /** Type URL of the keys of an account's HPKE private keyset. */
  static final String HPKE_PRIVATE = "type.googleapis.com/google.crypto.tink.HpkePrivateKey";

  /** Type URL of the keys of an account's Ed25519 private keyset. */
  static final String ED25519_PRIVATE = "type.googleapis.com/google.crypto.tink.Ed25519PrivateKey";

  // Field numbers of Tink's tink.proto: Keyset.key, Keyset.Key.key_data, KeyData.type_url.
  private static final int KEYSET_KEY = 2;
  private static final int KEY_KEY_DATA = 1;
  private static final int KEY_DATA_TYPE_URL = 1;

  // Protobuf wire types; groups (3, 4) never occur in a keyset.
  private static final int VARINT = 0;
  private static final int I64 = 1;
  private static final int LEN = 2;
  private static final int I32 = 5;

  private KeysetShape() {}

  /**
   * Throws {@link CryptoException} unless {@code keyset} parses as a keyset of at least one key,
   * each with key data of {@code typeUrl}; {@code what} names the keyset in the message.
   */
  static void require(byte[] keyset, String typeUrl, String what) {
    byte[] expected = typeUrl.getBytes(StandardCharsets.UTF_8);
    int keys = 0;
    Fields fields = new Fields(keyset, 0, keyset.length, what);
    while (fields.next()) {
      if (fields.number == KEYSET_KEY) {
        requireKey(fields.message(), expected, typeUrl, what);
        keys++;
      }
    }
    if (keys == 0) {
      throw new CryptoException("malformed " + what + ": no keys");
    }
  }

  private static void requireKey(Fields key, byte[] expected, String typeUrl, String what) {
    boolean typed = false;
    while (key.next()) {
      if (key.number != KEY_KEY_DATA) {
        continue;
      }
      Fields data = key.message();
      while (data.next()) {
        if (data.number == KEY_DATA_TYPE_URL) {
          if (!data.valueEquals(expected)) {
            throw new CryptoException(
                what + " holds a key of type " + data.string() + "; expected " + typeUrl);
          }
          typed = true;
        }
      }
    }
    if (!typed) {
      throw new CryptoException("malformed " + what + ": a key without a type");
    }
  }

  /** The fields of one message in {@code bytes[pos, end)}, one {@link #next()} at a time. */
  private static final class Fields {
    private final byte[] bytes;
    private final int end;
    private final String what;
    private int pos;

    /** The current field's number and wire type; a LEN value's bytes are [start, stop). */
    int number;

    private int wireType;
    private int start;
    private int stop;

    Fields(byte[] bytes, int pos, int end, String what) {
      this.bytes = bytes;
      this.pos = pos;
      this.end = end;
      this.what = what;
    }

    /** Steps over the next field; false at the end of the message. */
    boolean next() {
      if (pos == end) {
        return false;
      }
      long tag = varint();
      if (tag >>> 3 == 0 || tag >>> 3 > Integer.MAX_VALUE) {
        throw malformed("field number " + (tag >>> 3));
      }
      number = (int) (tag >>> 3);
      wireType = (int) (tag & 7);
      switch (wireType) {
        case VARINT -> varint();
        case I64 -> skip(8);
        case I32 -> skip(4);
        case LEN -> {
          long length = varint();
          if (length < 0 || length > end - pos) {
            throw malformed(
                "field " + number + " claims " + Long.toUnsignedString(length) + " bytes");
          }
          start = pos;
          skip((int) length);
          stop = pos;
        }
        default -> throw malformed("wire type " + wireType);
      }
      return true;
    }

    /** The current field as an embedded message. */
    Fields message() {
      requireLen();
      return new Fields(bytes, start, stop, what);
    }

    String string() {
      requireLen();
      return new String(bytes, start, stop - start, StandardCharsets.UTF_8);
    }

    boolean valueEquals(byte[] expected) {
      requireLen();
      return Arrays.equals(bytes, start, stop, expected, 0, expected.length);
    }

    private void requireLen() {
      if (wireType != LEN) {
        throw malformed("field " + number + " has wire type " + wireType);
      }
    }

    private long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos == end) {
          throw malformed("truncated");
        }
        byte b = bytes[pos++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw malformed("varint longer than 10 bytes");
    }

    private void skip(int n) {
      if (n > end - pos) {
        throw malformed("truncated");
      }
      pos += n;
    }

    private CryptoException malformed(String why) {
      return new CryptoException("malformed " + what + ": " + why);
    }
  }
}
