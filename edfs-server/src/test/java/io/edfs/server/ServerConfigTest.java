package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ServerConfig")
class ServerConfigTest {
  private final Path dir = Path.of("data");

  @Test
  @DisplayName("defaults to local-only 8443, 30-day sessions, 10 versions, no quota")
  void defaults() {
    ServerConfig c = ServerConfig.defaults(dir);
    assertThat(c.dataDir()).isEqualTo(dir);
    assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8443);
    assertThat(c.sessionTtl()).isEqualTo(Duration.ofDays(30));
    assertThat(c.keepVersions()).isEqualTo(10);
    assertThat(c.defaultQuotaBytes()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  @DisplayName("withers change one field")
  void withers() {
    ServerConfig c =
        ServerConfig.defaults(dir)
            .withPort(0)
            .withBind("0.0.0.0")
            .withKeepVersions(3)
            .withDefaultQuotaBytes(5)
            .withSessionTtl(Duration.ofHours(1));
    assertThat(c).isEqualTo(new ServerConfig(dir, "0.0.0.0", 0, Duration.ofHours(1), 3, 5, null));
  }

  @Test
  @DisplayName("rejects values out of range, naming them")
  void validates() {
    ServerConfig c = ServerConfig.defaults(dir);
    assertThatThrownBy(() -> c.withPort(65536))
        .hasMessageContaining("port")
        .hasMessageContaining("65536");
    assertThatThrownBy(() -> c.withPort(-1)).hasMessageContaining("port");
    assertThatThrownBy(() -> c.withBind(" ")).hasMessageContaining("bindAddress");
    assertThatThrownBy(() -> c.withKeepVersions(0)).hasMessageContaining("keepVersions");
    assertThatThrownBy(() -> c.withDefaultQuotaBytes(-1)).hasMessageContaining("defaultQuotaBytes");
    assertThatThrownBy(() -> c.withSessionTtl(Duration.ZERO)).hasMessageContaining("sessionTtl");
    assertThatThrownBy(() -> ServerConfig.defaults(null)).isInstanceOf(NullPointerException.class);
  }
}
