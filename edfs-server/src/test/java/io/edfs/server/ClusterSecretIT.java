package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.testdb.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several nodes on one database must share the server secret (the password pepper). */
@DisplayName("Nodes of one cluster")
class ClusterSecretIT {
  @TempDir Path dir;

  @Test
  @DisplayName("a node with another server.secret refuses to start; with the same one it serves")
  void sameSecret() throws Exception {
    try (TestDatabase db = TestDatabase.create(TestEngine.engine(), dir)) {
      ServerConfig first =
          ServerConfig.defaults(dir.resolve("node1"))
              .withPort(0)
              .withDatabase(db.url())
              .withBlocks("file:" + Files.createDirectories(dir.resolve("blocks")));
      ServerConfig second = first.withDataDir(dir.resolve("node2"));
      try (EdfsServer one = EdfsServer.start(first)) {
        assertThatThrownBy(() -> EdfsServer.start(second).close())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("is not the one this database's other nodes use")
            .hasMessageContaining("copy it from a node");
        Files.copy(
            dir.resolve("node1/server.secret"),
            dir.resolve("node2/server.secret"),
            StandardCopyOption.REPLACE_EXISTING);
        try (EdfsServer two = EdfsServer.start(second)) {
          assertThat(two.port()).isNotEqualTo(one.port());
        }
      }
    }
  }
}
