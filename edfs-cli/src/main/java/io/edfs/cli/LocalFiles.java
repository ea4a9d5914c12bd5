package io.edfs.cli;

import io.edfs.client.EdfsException.Reason;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Local files a download writes: a part file beside the target, made as the user's umask says,
 * renamed into place whole, never over a file that appeared meanwhile unless forced.
 */
final class LocalFiles {
  private static final String PART_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private LocalFiles() {}

  static LocalPathException exists(Path target) {
    return new LocalPathException(Reason.NAME_EXISTS, target, "exists; use --force to replace it");
  }

  /**
   * A new empty file {@code .NAME.XXXXXX.edfs-part} beside {@code target}, made as a shell
   * redirection makes one: with the permissions the user's umask leaves of rw-rw-rw- (a temp
   * file would be rw------- whatever the umask).
   */
  static Path newPart(Path dir, Path target) throws IOException {
    // a part name stays within the 255 bytes a name may have, whatever the target's length
    String name = target.getFileName().toString().codePoints().limit(48)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    for (int attempt = 0; ; attempt++) {
      StringBuilder random = new StringBuilder();
      RANDOM.ints(6, 0, PART_CHARS.length()).forEach(i -> random.append(PART_CHARS.charAt(i)));
      Path part = dir.resolve("." + name + "." + random + ".edfs-part");
      try {
        Files.newOutputStream(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return part;
      } catch (FileAlreadyExistsException e) {
        if (attempt == 100) {
          throw e;
        }
      } catch (AccessDeniedException e) {
        throw new LocalPathException(Reason.FORBIDDEN, target, "permission denied", e);
      }
    }
  }

  /**
   * Gives the downloaded {@code part} the name {@code target} in one step, so that nobody ever
   * sees half a file there. Without {@code force} an existing target is refused, even one
   * created during the download.
   */
  static void place(Path part, Path target, boolean force) throws IOException {
    if (force) {
      if (Files.isRegularFile(target)) {
        try {
          // as cp does: a replaced file keeps its permissions (a private file stays private)
          Files.setPosixFilePermissions(part, Files.getPosixFilePermissions(target));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system
        }
      }
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    try {
      // link(2) fails on an existing name: no moment at which a newer file could be replaced
      Files.createLink(target, part);
    } catch (FileAlreadyExistsException e) {
      throw exists(target);
    } catch (UnsupportedOperationException | IOException e) {
      // no hard links here (FAT, some network file systems): a last look, then a rename
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw exists(target);
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover part file is harmless: its name says what it is
    }
  }
}
