package io.edfs.client.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The pinned certificate fingerprint of every server this client has seen, in a text file of
 * {@code host:port FINGERPRINT} lines. Thread-safe within one process.
 */
public final class KnownServers {
  private final Path file;

  public KnownServers(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  public synchronized Optional<String> pinned(String hostPort) {
    return Optional.ofNullable(read().get(hostPort));
  }

  public synchronized void pin(String hostPort, String fingerprint) {
    Map<String, String> pins = read();
    pins.put(hostPort, fingerprint);
    StringBuilder out = new StringBuilder();
    pins.forEach((k, v) -> out.append(k).append(' ').append(v).append('\n'));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".known", ".tmp");
      Files.writeString(tmp, out, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: permissions are the platform's default
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private Map<String, String> read() {
    Map<String, String> pins = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return pins;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && !parts[0].startsWith("#")) {
          pins.put(parts[0], parts[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return pins;
  }
}
