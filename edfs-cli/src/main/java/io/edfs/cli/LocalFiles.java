package io.edfs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Local files a download writes: a temporary name beside the target, created as the user's umask says. */
final class LocalFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private LocalFiles() {}

  /**
   * A fresh name beside {@code target} for the download in progress ({@code .NAME.1a2b3c4d.edfs-part}):
   * hidden, unlikely to collide, and renamed over {@code target} only once complete.
   */
  static Path partFile(Path target) {
    byte[] r = new byte[4];
    RANDOM.nextBytes(r);
    Path abs = target.toAbsolutePath();
    return abs.resolveSibling("." + abs.getFileName() + "." + HexFormat.of().formatHex(r) + ".edfs-part");
  }

  /**
   * Creates {@code file}, which must not exist, for writing. Unlike {@code Files.createTempFile}
   * (always 0600) this leaves the permissions to the umask, as {@code cp} and a shell redirect do.
   */
  static OutputStream create(Path file) throws IOException {
    return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }
}
