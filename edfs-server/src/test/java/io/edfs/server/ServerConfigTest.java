package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    assertThat(c.gcGrace()).isEqualTo(Duration.ofHours(1));
    assertThat(c.gcInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
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
            .withSessionTtl(Duration.ofHours(1))
            .withGcInterval(Duration.ofMinutes(2))
            .withLeaseTtl(Duration.ofSeconds(5));
    assertThat(c)
        .isEqualTo(
            new ServerConfig(
                dir,
                "0.0.0.0",
                0,
                Duration.ofHours(1),
                3,
                5,
                null,
                null,
                ServerConfig.DEFAULT_GC_GRACE,
                Duration.ofMinutes(2),
                Duration.ofSeconds(5)));
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
    assertThatThrownBy(() -> c.withGcInterval(Duration.ZERO)).hasMessageContaining("gcInterval");
    assertThatThrownBy(() -> c.withLeaseTtl(Duration.ofMillis(999)))
        .hasMessageContaining("leaseTtl")
        .hasMessageContaining("PT0.999S");
    assertThatThrownBy(() -> ServerConfig.defaults(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("hides a block store's secret key up to the next parameter, ';' and ',' included, on each side of a mirror")
  void redactsStoreSecrets() {
    assertThat(ServerConfig.redact("s3://b-1?endpoint=http://h:9000&access-key=k&secret-key=abc;S3CRET&region=eu-1"))
        .isEqualTo("s3://b-1?endpoint=http://h:9000&access-key=k&secret-key=***&region=eu-1");
    assertThat(ServerConfig.redact("s3://b-1?secret-key=abc;S3CRET,TAIL"))
        .isEqualTo("s3://b-1?secret-key=***");
    assertThat(
            ServerConfig.redact(
                "mirror:s3://a-1?secret-key=x;S3CRET,s3://b-1?access-key=k&secret-key=y;S3CRET&region=r,file:/srv/b"))
        .isEqualTo("mirror:s3://a-1?secret-key=***,s3://b-1?access-key=k&secret-key=***&region=r,file:/srv/b");
    String shown =
        ServerConfig.defaults(dir)
            .withBlocks("s3://edfs-blocks?endpoint=http://10.0.0.5:9000&access-key=edfs&secret-key=abc;SECRETTAIL")
            .toString();
    assertThat(shown).doesNotContain("SECRETTAIL").contains("secret-key=***");
  }

  @Test
  @DisplayName("hides every password a database URL can carry")
  void redactsPasswords() {
    for (String url :
        List.of(
            "jdbc:mariadb://db/edfs?user=u&password=S3CRET",
            "jdbc:postgresql://db/edfs?password=S3CRET&user=u",
            "jdbc:postgresql://db/edfs?user=u&sslpassword=S3CRET",
            "jdbc:mariadb://db/edfs?user=u&keyStorePassword=S3CRET&trustStorePassword=S3CRET",
            "jdbc:mysql://u:S3CRET@db/edfs",
            "jdbc:mysql://u:p@S3CRET@db/edfs",
            "jdbc:mariadb://db/edfs;PWD=S3CRET")) {
      assertThat(ServerConfig.redact(url)).as(url).doesNotContain("S3CRET").contains("***");
      ServerConfig c = ServerConfig.defaults(dir).withDatabase(url);
      assertThat(c.toString()).doesNotContain("S3CRET");
    }
    assertThat(ServerConfig.redact("jdbc:mariadb://db:3306/edfs?user=u&password=x"))
        .isEqualTo("jdbc:mariadb://db:3306/edfs?user=u&password=***");
  }
}
