package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Tls")
class TlsTest {
  @TempDir Path dir;

  @Test
  @DisplayName("creates the identity once and reloads the same certificate")
  void reuse() throws Exception {
    Tls first = Tls.loadOrCreate(dir, "127.0.0.1", new SecureRandom());
    Tls again = Tls.loadOrCreate(dir, "0.0.0.0", new SecureRandom());
    assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(first.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(first.keyStore().getKey(Tls.ALIAS, first.password().toCharArray())).isNotNull();
  }

  @Test
  @DisplayName("names the bind address or host name in the certificate")
  void subjectAltNames() throws Exception {
    Tls byName = Tls.loadOrCreate(dir.resolve("a"), "files.example.org", new SecureRandom());
    assertThat(sans(byName)).contains("localhost", "127.0.0.1", "files.example.org");
    Tls byIp = Tls.loadOrCreate(dir.resolve("b"), "10.1.2.3", new SecureRandom());
    assertThat(sans(byIp)).contains("localhost", "127.0.0.1", "10.1.2.3");
  }

  private static List<String> sans(Tls tls) throws Exception {
    return tls.certificate().getSubjectAlternativeNames().stream()
        .map(l -> l.get(1).toString())
        .toList();
  }
}
