package io.edfs.crypto.v1;

import static io.edfs.crypto.v1.Fixtures.FAST;
import static io.edfs.crypto.v1.Fixtures.MASKS;
import static io.edfs.crypto.v1.Fixtures.flipped;
import static io.edfs.crypto.v1.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("PasswordKeys")
class PasswordKeysTest {
  private final byte[] salt = PasswordKeys.newSalt();

  private static byte[] authKey(String password, byte[] salt, Argon2Params params) {
    try (PasswordKeys keys = PasswordKeys.derive(password.toCharArray(), salt, params)) {
      return keys.authKey();
    }
  }

  @Nested
  @DisplayName("deriving")
  class Deriving {
    @Test
    @DisplayName("makes a fresh 16-byte salt every time")
    void salts() {
      assertThat(salt).hasSize(PasswordKeys.SALT_BYTES).isNotEqualTo(PasswordKeys.newSalt());
    }

    @Test
    @DisplayName("gives the same 32-byte auth key for the same password, salt and parameters")
    void deterministic() {
      byte[] key = authKey("correct horse", salt, FAST);
      assertThat(key).hasSize(32).isEqualTo(authKey("correct horse", salt, FAST));
    }

    @Test
    @DisplayName("gives a different auth key if the password, salt or any parameter changes")
    void sensitive() {
      byte[] key = authKey("correct horse", salt, FAST);
      assertThat(authKey("correct horsf", salt, FAST)).isNotEqualTo(key);
      assertThat(authKey("correct horse", PasswordKeys.newSalt(), FAST)).isNotEqualTo(key);
      assertThat(authKey("correct horse", salt, new Argon2Params(8193, 1, 1))).isNotEqualTo(key);
      assertThat(authKey("correct horse", salt, new Argon2Params(8192, 2, 1))).isNotEqualTo(key);
      assertThat(authKey("correct horse", salt, new Argon2Params(8192, 1, 2))).isNotEqualTo(key);
    }

    @Test
    @DisplayName("treats NFC and NFD spellings of a password as the same password")
    void nfc() {
      assertThat(authKey("pa\u0301ssword", salt, FAST))
          .isEqualTo(authKey("p\u00e1ssword", salt, FAST));
    }

    @Test
    @DisplayName("works at the default parameters")
    void defaults() {
      assertThat(authKey("correct horse", salt, Argon2Params.DEFAULT))
          .hasSize(32)
          .isNotEqualTo(authKey("correct horse", salt, FAST));
    }

    @Test
    @DisplayName("rejects a salt shorter than 8 bytes and a password that is not Unicode")
    void badInput() {
      assertThatThrownBy(() -> PasswordKeys.derive("p".toCharArray(), new byte[7], FAST))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("salt is 7 bytes; at least 8 required");
      assertThatThrownBy(() -> PasswordKeys.derive(new char[] {'a', '\uD800'}, salt, FAST))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not valid Unicode");
    }

    @Test
    @DisplayName("hands out copies of the auth key")
    void copies() {
      try (PasswordKeys keys = PasswordKeys.derive("p".toCharArray(), salt, FAST)) {
        byte[] first = keys.authKey();
        first[0] ^= 1;
        assertThat(keys.authKey()).isNotEqualTo(first);
      }
    }
  }

  @Nested
  @DisplayName("sealing the account")
  class Sealing {
    private final UUID userId = id();
    private final PasswordKeys keys = PasswordKeys.derive("secret".toCharArray(), salt, FAST);
    private final AccountKeys account = AccountKeys.generate();
    private final byte[] sealed = keys.sealAccount(account, userId);

    @AfterEach
    void wipe() {
      keys.close();
      account.close();
    }

    @Test
    @DisplayName("round-trips the private keys")
    void roundTrip() {
      try (AccountKeys opened = keys.openAccount(sealed, userId)) {
        assertThat(opened.exportPrivate()).isEqualTo(account.exportPrivate());
      }
    }

    @Test
    @DisplayName("opens with the same password derived again")
    void sameAgain() {
      try (PasswordKeys again = PasswordKeys.derive("secret".toCharArray(), salt, FAST);
          AccountKeys opened = again.openAccount(sealed, userId)) {
        assertThat(opened.publicKeys()).isEqualTo(account.publicKeys());
      }
    }

    @Test
    @DisplayName("is randomised")
    void randomised() {
      assertThat(keys.sealAccount(account, userId)).isNotEqualTo(sealed);
    }

    @Test
    @DisplayName("refuses a wrong password")
    void wrongPassword() {
      try (PasswordKeys wrong = PasswordKeys.derive("Secret".toCharArray(), salt, FAST)) {
        assertThatThrownBy(() -> wrong.openAccount(sealed, userId))
            .isInstanceOf(TamperedException.class)
            .hasMessage("integrity check failed: account keys of " + userId);
      }
    }

    @Test
    @DisplayName("refuses another user's sealed account")
    void wrongUser() {
      assertThatThrownBy(() -> keys.openAccount(sealed, id()))
          .isInstanceOf(TamperedException.class);
    }

    @Test
    @DisplayName("detects any changed byte, and truncation")
    void tamper() {
      for (int i = 0; i < sealed.length; i++) {
        for (int mask : MASKS) {
          byte[] bad = flipped(sealed, i, mask);
          assertThatThrownBy(() -> keys.openAccount(bad, userId))
              .as("byte %d ^ %x", i, mask)
              .isInstanceOf(TamperedException.class);
        }
      }
      for (int length = 0; length < sealed.length; length += 7) {
        byte[] cut = Arrays.copyOf(sealed, length);
        assertThatThrownBy(() -> keys.openAccount(cut, userId))
            .isInstanceOf(TamperedException.class);
      }
    }
  }

  @Test
  @DisplayName("wipes both keys on close; later use throws IllegalStateException")
  void close() throws Exception {
    PasswordKeys keys = PasswordKeys.derive("p".toCharArray(), salt, FAST);
    keys.close();
    for (String name : new String[] {"authKey", "masterKey"}) {
      Field field = PasswordKeys.class.getDeclaredField(name);
      field.setAccessible(true);
      assertThat((byte[]) field.get(keys)).as(name).containsOnly(0);
    }
    try (AccountKeys account = AccountKeys.generate()) {
      assertThatThrownBy(keys::authKey).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> keys.sealAccount(account, id()))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> keys.openAccount(new byte[100], id()))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
