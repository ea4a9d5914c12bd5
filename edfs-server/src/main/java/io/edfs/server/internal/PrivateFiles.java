package io.edfs.server.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/** Durable file operations: owner-only files written atomically, folder fsync. */
final class PrivateFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private PrivateFiles() {}

  /**
   * Creates a folder only its owner may enter, unless it exists; missing parents get default
   * permissions.
   */
  static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir.toAbsolutePath().getParent());
    try {
      if (POSIX) {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // created concurrently: fine
    }
  }

  /**
   * Writes {@code data} to {@code target} with mode 0600: to a temporary file first, fsynced and
   * renamed into place, so a crash leaves either no file or the complete one.
   */
  static void writeAtomically(Path target, byte[] data) throws IOException {
    writeAtomically(
        target,
        out -> {
          out.write(data);
          return null;
        });
  }

  /** What {@link #writeAtomically(Path, Content)} writes. */
  @FunctionalInterface
  interface Content<T> {
    /** Writes everything to {@code out} (which it must not close); returns what it wrote. */
    T writeTo(OutputStream out) throws IOException;
  }

  /**
   * Like {@link #writeAtomically(Path, byte[])}, for content streamed by {@code content}: if it
   * throws, {@code target} is left as it was.
   */
  static <T> T writeAtomically(Path target, Content<T> content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    FileAttribute<?>[] attrs =
        POSIX
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try {
      T result;
      try (FileChannel ch =
          FileChannel.open(
              tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
        result = content.writeTo(out);
        out.flush();
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(dir);
      return result;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes a folder's entries (a rename or create in it) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its renames are durable on return
      if (POSIX) {
        throw e;
      }
    }
  }
}
