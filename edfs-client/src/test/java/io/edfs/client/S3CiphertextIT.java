package io.edfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testing.TestServer;
import io.edfs.tests3.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a server whose blocks are in S3: what reaches the bucket is ciphertext. */
@DisplayName("Files on a server with blocks in S3")
class S3CiphertextIT {
  @TempDir Path tmp;

  @Test
  @DisplayName("read back as written, and the bucket holds only blocks of ciphertext, each under its hash")
  void onlyCiphertext() throws Exception {
    String marker = "launch on Tuesday, says the plan of phoenix";
    byte[] big = (marker + "\n").repeat(250_000).getBytes(StandardCharsets.UTF_8); // ~11 MiB: several blocks
    byte[] small = marker.getBytes(StandardCharsets.UTF_8);
    S3Server s3 = S3Server.shared();
    String bucket = s3.createBucket();
    {
      try (TestServer server = TestServer.start(c -> c.withBlocks(s3.blockStoreUri(bucket, "")));
          EdfsClient client =
              EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("known_servers")).withMinimumKdf(SessionIT.FAST_KDF));
          Session s = client.signup("alice", "pw".toCharArray(), SessionIT.FAST_KDF)) {
        s.mkdir("/phoenix-secret-project", false);
        s.write("/phoenix-secret-project/plan-of-phoenix.txt", new ByteArrayInputStream(small), Progress.NONE);
        s.write("/phoenix-secret-project/big-phoenix.log", new ByteArrayInputStream(big), Progress.NONE);
        assertThat(read(s, "/phoenix-secret-project/plan-of-phoenix.txt")).isEqualTo(small);
        assertThat(read(s, "/phoenix-secret-project/big-phoenix.log")).isEqualTo(big);
      }
      List<String> keys = s3.keys(bucket);
      assertThat(keys).hasSizeGreaterThanOrEqualTo(3);
      byte[][] needles = {
        "phoenix".getBytes(StandardCharsets.UTF_8), "Tuesday".getBytes(StandardCharsets.UTF_8)
      };
      for (String key : keys) {
        byte[] object = Files.readAllBytes(s3.object(bucket, key));
        if (key.equals(".edfs-store")) {
          // the installation's marker: a random id, no user data
          assertThat(new String(object, StandardCharsets.UTF_8).strip()).matches("[0-9a-f]{32}");
        } else {
          String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(object));
          assertThat(key).isEqualTo(hash.substring(0, 2) + "/" + hash.substring(2, 4) + "/" + hash);
        }
        for (byte[] needle : needles) {
          assertThat(indexOf(object, needle)).as("plaintext in object %s", key).isEqualTo(-1);
        }
      }
    }
  }

  private static byte[] read(Session s, String path) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.read(path, out, Progress.NONE);
    return out.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
