package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testing.CliRunner;
import io.edfs.testing.ServerProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file far larger than the memory of either process goes up and comes back intact: the
 * server and the client each run with -Xmx256m. Size: {@code -Dedfs.largeFileMiB} (default
 * 5120, i.e. 5 GiB).
 */
@DisplayName("A 5 GiB file through a 256 MiB server and a 256 MiB client")
class LargeFileIT {
  static final long MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  @DisplayName("streams up and down byte-identical")
  void streamsLargeFile() throws Exception {
    long size = Long.getLong("edfs.largeFileMiB", 5120) * MIB;
    try (ServerProcess server = ServerProcess.start(tmp.resolve("data"), List.of("-Xmx256m"))) {
      CliRunner cli = new CliRunner(Files.createDirectories(tmp.resolve("home")), server.url(), "large file password");
      cli.jvmArgs(List.of("-Xmx256m"));
      assertThat(cli.run("signup", "big").exitCode()).isZero();

      byte[] block = new byte[(int) MIB];
      new Random(7).nextBytes(block);
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      long t0 = System.nanoTime();
      Process up = cli.start("write", "/large.bin");
      try (OutputStream in = up.getOutputStream()) {
        for (long done = 0; done < size; done += MIB) {
          block[0]++; // every MiB differs
          sent.update(block);
          in.write(block);
        }
      }
      String upErr = new String(up.getErrorStream().readAllBytes());
      assertThat(up.waitFor()).as("upload: %s", upErr).isZero();
      double upSecs = (System.nanoTime() - t0) / 1e9;

      t0 = System.nanoTime();
      Process down = cli.start("cat", "/large.bin");
      MessageDigest received = MessageDigest.getInstance("SHA-256");
      long got = 0;
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<String> err = pool.submit(() -> new String(down.getErrorStream().readAllBytes()));
        try (InputStream out = down.getInputStream()) {
          byte[] buf = new byte[1 << 16];
          for (int n; (n = out.read(buf)) != -1; ) {
            received.update(buf, 0, n);
            got += n;
          }
        }
        assertThat(down.waitFor()).as("download: %s", err.get()).isZero();
      }
      double downSecs = (System.nanoTime() - t0) / 1e9;
      assertThat(got).isEqualTo(size);
      assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
      System.out.printf("large file %d MiB at -Xmx256m: upload %.1f s (%.0f MiB/s), download %.1f s (%.0f MiB/s)%n",
          size / MIB, upSecs, size / MIB / upSecs, downSecs, size / MIB / downSecs);
    }
  }
}
