package io.edfs.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The known_servers file")
class KnownServersTest {
  static final String PIN = "AB:".repeat(31) + "AB";

  @Nested
  @DisplayName("spells every server one way")
  class Keys {
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
      "::1, [::1]:8443",
      "[::1], [::1]:8443",
      "0:0:0:0:0:0:0:1, [::1]:8443",
      "[0:0:0:0:0:0:0:1], [::1]:8443",
      "2001:DB8:0:0:1:0:0:1, [2001:db8::1:0:0:1]:8443",
      "2001:db8:0:0:0:0:2:1, [2001:db8::2:1]:8443",
      "fe80:0:0:0:0:0:0:1%lo, [fe80::1%lo]:8443",
      "::ffff:127.0.0.1, 127.0.0.1:8443",
      "127.0.0.1, 127.0.0.1:8443",
      "Edfs1.Example, edfs1.example:8443",
      "not:an:address, not:an:address:8443",
    })
    void hostAndPort(String host, String key) {
      assertThat(KnownServers.key(host, 8443)).isEqualTo(key);
    }

    @Test
    @DisplayName("from a URL, whose port defaults to 443")
    void url() {
      assertThat(KnownServers.key(URI.create("https://[0:0:0:0:0:0:0:1]:8443"))).isEqualTo("[::1]:8443");
      assertThat(KnownServers.key(URI.create("https://EDFS.example"))).isEqualTo("edfs.example:443");
    }
  }

  @Test
  @DisplayName("finds a pin written under an older spelling, and rewrites it in the one spelling")
  void olderLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("known_servers");
    Files.writeString(file, "0:0:0:0:0:0:0:1:8443 " + PIN + "\n" + "::1:9443 " + PIN + "\nEDFS.example:443 " + PIN + "\n");
    var known = new KnownServers(file);
    assertThat(known.pinned("[::1]:8443")).contains(PIN);
    assertThat(known.pinned("::1:8443")).contains(PIN);
    assertThat(known.pinned("[::1]:9443")).contains(PIN);
    assertThat(known.pinned("edfs.example:443")).contains(PIN);
    assertThat(known.pinned("[::1]:7443")).isEmpty();

    known.pin("0:0:0:0:0:0:0:1:7443", PIN);
    assertThat(Files.readAllLines(file))
        .containsExactly("[::1]:8443 " + PIN, "[::1]:9443 " + PIN, "edfs.example:443 " + PIN, "[::1]:7443 " + PIN);
  }

  @Test
  @DisplayName("keeps the first of two older lines for one server")
  void firstLineCounts(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("known_servers");
    Files.writeString(file, "0:0:0:0:0:0:0:1:8443 " + PIN + "\n::1:8443 00:11\n");
    assertThat(new KnownServers(file).pinned("[::1]:8443")).contains(PIN);
  }
}
