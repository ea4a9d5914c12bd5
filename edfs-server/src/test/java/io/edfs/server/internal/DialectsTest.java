package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Dialects")
class DialectsTest {
  @Test
  @DisplayName("pick the engine from the URL, and describe it without its password")
  void pick() {
    Path data = Path.of("/srv/edfs");
    assertThat(Dialects.forUrl(null, data).describe()).isEqualTo("SQLite database /srv/edfs/edfs.db");
    Dialect maria = Dialects.forUrl("jdbc:mariadb://db:3306/edfs?user=edfs&password=s3cret", data);
    assertThat(maria.name()).isEqualTo("mariadb");
    assertThat(maria.describe()).contains("password=***").doesNotContain("s3cret");
    Dialect mysql = Dialects.forUrl("jdbc:mysql://edfs:s3cret@db/edfs", data);
    assertThat(mysql.name()).isEqualTo("mariadb");
    assertThat(mysql.describe()).startsWith("MySQL database").doesNotContain("s3cret");
    Dialect pg = Dialects.forUrl("jdbc:postgresql://db/edfs?password=s3cret&user=edfs", data);
    assertThat(pg.name()).isEqualTo("postgres");
    assertThat(pg.describe()).doesNotContain("s3cret");
    assertThatThrownBy(
            () -> Dialects.forUrl("jdbc:postgresql://db:5432/edfs?user=u&password=p%zzS3CRET", data))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid PostgreSQL URL")
        .hasNoCause()
        .message()
        .doesNotContain("S3CRET");
    assertThatThrownBy(() -> Dialects.forUrl("jdbc:oracle:thin:@db", data))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported database URL");
  }

  @Test
  @DisplayName("build upserts that keep or replace existing rows, in each engine's words")
  void upsert() {
    Path data = Path.of("/srv/edfs");
    for (Dialect d :
        List.of(Dialects.forUrl(null, data), Dialects.forUrl("jdbc:postgresql://db/x", data))) {
      assertThat(d.upsert("t", List.of("a", "b"), List.of("a"), List.of()))
          .isEqualTo("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO NOTHING");
      assertThat(d.upsert("t", List.of("a", "b"), List.of("a"), List.of("b")))
          .isEqualTo(
              "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b");
    }
    Dialect maria = Dialects.forUrl("jdbc:mariadb://db/x", data);
    assertThat(maria.upsert("t", List.of("a", "b"), List.of("a"), List.of()))
        .isEqualTo("INSERT INTO t (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE a = VALUES(a)");
    assertThat(maria.upsert("t", List.of("a", "b"), List.of("a"), List.of("b")))
        .isEqualTo("INSERT INTO t (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE b = VALUES(b)");
  }
}
