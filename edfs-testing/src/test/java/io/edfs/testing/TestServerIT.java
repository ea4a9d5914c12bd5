package io.edfs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TestServerIT {
  @Test
  void startsServesAndCleansUp() throws Exception {
    Path dir;
    try (TestServer server = TestServer.start(c -> c.withKeepVersions(2))) {
      dir = server.dataDir();
      assertThat(server.server().config().keepVersions()).isEqualTo(2);
      assertThat(server.uri().toString()).startsWith("https://127.0.0.1:");
      assertThat(dir.resolve("edfs.db")).exists();
      HttpClient client = HttpClient.newBuilder().sslContext(server.sslContext()).build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(server.uri() + "/v1/account")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
    assertThat(Files.exists(dir)).isFalse();
  }
}
