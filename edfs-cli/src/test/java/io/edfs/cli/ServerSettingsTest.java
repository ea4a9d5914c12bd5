package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("edfs server's settings from a config file")
class ServerSettingsTest {
  @TempDir Path tmp;

  @Test
  @DisplayName("refuse a garbage collection setting that is no duration, or out of range, naming it")
  void gcSettings() throws Exception {
    assertRefused("gc-interval=soon", "gc-interval must be a duration such as 90s");
    assertRefused("gc-grace=-1h", "gc-grace must be a duration");
    assertRefused("gc-interval=0s", "gcInterval must be positive");
    assertRefused("lease-ttl=500ms", "leaseTtl must be at least 1 s");
  }

  private void assertRefused(String line, String message) throws Exception {
    Path config = Files.writeString(tmp.resolve("edfs.properties"), line + "\n");
    AdminCommandsTest.Run run =
        AdminCommandsTest.edfs(
            "server", "--data", tmp.resolve("data").toString(), "--config", config.toString());
    assertThat(run.code()).as(line).isEqualTo(2);
    assertThat(run.err()).as(line).contains(message);
    assertThat(tmp.resolve("data")).as("no data folder made for a refused setting").doesNotExist();
  }
}
