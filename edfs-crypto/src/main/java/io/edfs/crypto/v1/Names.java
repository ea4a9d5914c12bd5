package io.edfs.crypto.v1;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/** File and folder name rules of format v1. */
public final class Names {
  /** Longest name, in UTF-8 bytes after NFC normalisation. */
  public static final int MAX_BYTES = 255;

  private Names() {}

  /**
   * Returns the NFC-normalised name if it is allowed: non-empty, no {@code /}, no NUL, no other
   * control character (C0 U+0000..U+001F, DEL U+007F, C1 U+0080..U+009F: printed, they could
   * inject terminal escapes), not {@code .} or {@code ..}, at most 255 UTF-8 bytes; otherwise
   * throws {@link InvalidNameException} saying which rule it breaks.
   */
  public static String validate(String name) {
    Objects.requireNonNull(name, "name");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < name.length()
          && Character.isLowSurrogate(name.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidNameException(
            "name is not valid Unicode: unpaired surrogate at index " + i);
      }
    }
    String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
    if (nfc.isEmpty()) {
      throw new InvalidNameException("name must not be empty");
    }
    if (nfc.equals(".") || nfc.equals("..")) {
      throw new InvalidNameException("name must not be '.' or '..'");
    }
    if (nfc.indexOf('/') >= 0) {
      throw new InvalidNameException("name must not contain '/'");
    }
    if (nfc.indexOf('\0') >= 0) {
      throw new InvalidNameException("name must not contain NUL ('\\0')");
    }
    int[] codePoints = nfc.codePoints().toArray();
    for (int position = 0; position < codePoints.length; position++) {
      int c = codePoints[position];
      if (isControl(c)) {
        // position: 0-based, in code points of the NFC name
        throw new InvalidNameException(
            String.format(
                Locale.ROOT,
                "name must not contain control characters (U+%04X at position %d)",
                c,
                position));
      }
    }
    int bytes = nfc.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new InvalidNameException(
          "name is " + bytes + " bytes; at most " + MAX_BYTES + " allowed");
    }
    return nfc;
  }

  /** C0 (U+0000..U+001F), DEL (U+007F) or C1 (U+0080..U+009F). */
  private static boolean isControl(int c) {
    return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
  }

  /**
   * A name from authenticated bytes: strict UTF-8 and already valid and NFC. An authentic name can
   * still come from a faulty or hostile client with WRITE access, and "..", "a/b" must never reach
   * a caller that builds local paths from names.
   */
  static String decode(byte[] utf8) {
    String name;
    try {
      name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidNameException("name is not valid UTF-8");
    }
    if (!validate(name).equals(name)) {
      throw new InvalidNameException("name is not NFC-normalised");
    }
    return name;
  }
}
