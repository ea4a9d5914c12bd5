package io.edfs.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --server URL} option every client command takes. */
final class ServerOption {
  @Option(names = "--server", paramLabel = "URL", description = "Server URL (default: $EDFS_SERVER, else the logged-in server, else https://127.0.0.1:8443).")
  String server;

  Optional<String> value() {
    return Optional.ofNullable(server);
  }
}
