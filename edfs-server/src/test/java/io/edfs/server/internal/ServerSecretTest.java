package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ServerSecret")
class ServerSecretTest {
  @TempDir Path dir;

  @Test
  @DisplayName("is created once and gives the same hashes and fake salts after a reload")
  void stable() throws Exception {
    Path file = dir.resolve("server.secret");
    ServerSecret first = ServerSecret.loadOrCreate(file, new SecureRandom());
    ServerSecret again = ServerSecret.loadOrCreate(file, new SecureRandom());
    assertThat(Files.size(file)).isEqualTo(32);
    assertThat(again.fakeSalt("bob")).hasSize(16).isEqualTo(first.fakeSalt("bob"));
    assertThat(first.fakeSalt("bob")).isNotEqualTo(first.fakeSalt("bob2"));
    assertThat(again.authHash(new byte[32])).hasSize(32).isEqualTo(first.authHash(new byte[32]));
  }

  @Test
  @DisplayName("differs between servers")
  void perServer() throws Exception {
    ServerSecret a = ServerSecret.loadOrCreate(dir.resolve("a"), new SecureRandom());
    ServerSecret b = ServerSecret.loadOrCreate(dir.resolve("b"), new SecureRandom());
    assertThat(a.fakeSalt("bob")).isNotEqualTo(b.fakeSalt("bob"));
  }

  @Test
  @DisplayName("refuses a damaged secret file instead of replacing it")
  void damaged() throws Exception {
    Path file = dir.resolve("server.secret");
    Files.write(file, new byte[31]);
    assertThatThrownBy(() -> ServerSecret.loadOrCreate(file, new SecureRandom()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exactly 32 bytes");
  }
}
