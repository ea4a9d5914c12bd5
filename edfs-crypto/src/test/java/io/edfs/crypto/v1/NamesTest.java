package io.edfs.crypto.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Names")
class NamesTest {

  @Nested
  @DisplayName("accept")
  class Accept {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "a", "report.pdf", ".hidden", "...", ". ", " ", "a b", "日本語.txt", "😀", "~", "\u00a0nbsp",
          "\u00a9 2024", "\u00ff"
        })
    @DisplayName("ordinary names, returned unchanged when already NFC")
    void ordinary(String name) {
      assertThat(Names.validate(name)).isEqualTo(name);
    }

    @Test
    @DisplayName("a decomposed name and return it NFC-normalised")
    void normalises() {
      assertThat(Names.validate("Cafe\u0301")).isEqualTo("Caf\u00e9");
    }

    @Test
    @DisplayName("exactly 255 UTF-8 bytes, counting multi-byte characters")
    void longest() {
      assertThat(Names.validate("a".repeat(255))).hasSize(255);
      assertThat(Names.validate("€".repeat(85))).hasSize(85);
    }

    @Test
    @DisplayName("a name that is too long decomposed but fits after NFC")
    void measuredAfterNfc() {
      String nfd = "e\u0301".repeat(127); // 381 bytes as NFD, 254 as NFC
      assertThat(Names.validate(nfd)).isEqualTo("\u00e9".repeat(127));
    }
  }

  @Nested
  @DisplayName("reject, saying which rule")
  class Reject {
    @Test
    @DisplayName("the empty name")
    void empty() {
      assertThatThrownBy(() -> Names.validate(""))
          .isInstanceOf(InvalidNameException.class)
          .hasMessage("name must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", ".."})
    @DisplayName("the dot entries")
    void dots(String name) {
      assertThatThrownBy(() -> Names.validate(name))
          .isInstanceOf(InvalidNameException.class)
          .hasMessage("name must not be '.' or '..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "a/b", "/a", "a/", "../x"})
    @DisplayName("a slash anywhere")
    void slash(String name) {
      assertThatThrownBy(() -> Names.validate(name))
          .isInstanceOf(InvalidNameException.class)
          .hasMessage("name must not contain '/'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\0", "a\0b", "a\0"})
    @DisplayName("a NUL anywhere")
    void nul(String name) {
      assertThatThrownBy(() -> Names.validate(name))
          .isInstanceOf(InvalidNameException.class)
          .hasMessageContaining("must not contain NUL");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "\u0001", "a\tb", "a\nb", "a\rb", "\u001b[31mred", "\u001f", "a\u007f", "\u0080",
          "a\u0085", "\u009b2J", "a\u009f"
        })
    @DisplayName("a control character anywhere: C0, DEL and C1")
    void control(String name) {
      assertThatThrownBy(() -> Names.validate(name))
          .isInstanceOf(InvalidNameException.class)
          .hasMessageStartingWith("name must not contain control characters (U+");
    }

    @Test
    @DisplayName("a control character, naming it and its position in code points")
    void controlMessage() {
      assertThatThrownBy(() -> Names.validate("abc\u001b[2J"))
          .isInstanceOf(InvalidNameException.class)
          .hasMessage("name must not contain control characters (U+001B at position 3)");
      assertThatThrownBy(() -> Names.validate("\uD83D\uDE00\u009b"))
          .hasMessage("name must not contain control characters (U+009B at position 1)");
      assertThatThrownBy(() -> Names.validate("x\u007f"))
          .hasMessage("name must not contain control characters (U+007F at position 1)");
    }

    @Test
    @DisplayName("more than 255 UTF-8 bytes")
    void tooLong() {
      assertThatThrownBy(() -> Names.validate("a".repeat(300)))
          .isInstanceOf(InvalidNameException.class)
          .hasMessage("name is 300 bytes; at most 255 allowed");
      assertThatThrownBy(() -> Names.validate("€".repeat(86)))
          .hasMessage("name is 258 bytes; at most 255 allowed");
      assertThatThrownBy(() -> Names.validate("e\u0301".repeat(128)))
          .hasMessage("name is 256 bytes; at most 255 allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "a\uD83D", "\uDE00b", "a\uDE00\uD83Db"})
    @DisplayName("unpaired surrogates, which are not Unicode")
    void surrogates(String name) {
      assertThatThrownBy(() -> Names.validate(name))
          .isInstanceOf(InvalidNameException.class)
          .hasMessageContaining("not valid Unicode");
    }
  }
}
