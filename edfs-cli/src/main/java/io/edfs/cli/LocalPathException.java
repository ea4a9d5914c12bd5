package io.edfs.cli;

import io.edfs.client.EdfsException;
import java.nio.file.Path;

/**
 * A failure about a file or folder on this machine, worded {@code local PATH: PROBLEM} so that
 * it is never mistaken for one about a remote path.
 */
final class LocalPathException extends EdfsException {
  LocalPathException(Reason reason, Path path, String problem) {
    super(reason, "local " + path + ": " + problem);
  }

  LocalPathException(Reason reason, Path path, String problem, Throwable cause) {
    super(reason, "local " + path + ": " + problem, cause);
  }
}
