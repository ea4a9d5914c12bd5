package io.edfs.crypto.v1;

import java.util.Arrays;
import java.util.function.Function;

/**
 * A private keyset of an {@link AccountKeys} bundle, parsed into {@code T} on first use: parsing
 * starts Tink's registry, and a command within one's own home folder never needs a keyset. The
 * serialized bytes are wiped once parsed, and on close. Parsing runs under this object's lock, so
 * threads that first use it at once parse it once, and a close waits for a parse under way.
 */
final class LazyKeyset<T> {
  private final Function<byte[], T> parse;
  private byte[] serialized;
  private T parsed;
  private boolean closed;

  private LazyKeyset(byte[] serialized, T parsed, Function<byte[], T> parse) {
    this.serialized = serialized;
    this.parsed = parsed;
    this.parse = parse;
  }

  /** A keyset already parsed (a generated one). */
  static <T> LazyKeyset<T> parsed(T parsed) {
    return new LazyKeyset<>(null, parsed, null);
  }

  /** Takes ownership of {@code serialized}, to be given to {@code parse} on first use. */
  static <T> LazyKeyset<T> serialized(byte[] serialized, Function<byte[], T> parse) {
    return new LazyKeyset<>(serialized, null, parse);
  }

  /** The parsed keyset; {@link CryptoException} if it does not parse, now and at every call. */
  synchronized T get() {
    checkOpen();
    if (parsed == null) {
      parsed = parse.apply(serialized); // on failure the bytes stay, wiped on close
      Arrays.fill(serialized, (byte) 0);
      serialized = null;
    }
    return parsed;
  }

  /**
   * A copy of the serialized keyset: the bytes given if not parsed yet (no need to start Tink to
   * write them out again), else what {@code serialize} makes of the parsed keyset.
   */
  synchronized byte[] serialized(Function<T, byte[]> serialize) {
    checkOpen();
    return parsed == null ? serialized.clone() : serialize.apply(parsed);
  }

  synchronized void close() {
    closed = true;
    if (serialized != null) {
      Arrays.fill(serialized, (byte) 0);
      serialized = null;
    }
    parsed = null;
  }

  // A thread that got past AccountKeys' own check just before close() stops here, rather than
  // parsing wiped bytes.
  private void checkOpen() {
    if (closed) {
      throw AccountKeys.closed();
    }
  }
}
