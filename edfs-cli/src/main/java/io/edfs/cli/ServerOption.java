package io.edfs.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --server URL[,URL...]} option every client command takes. */
final class ServerOption {
  @Option(
      names = "--server",
      paramLabel = "URL[,URL...]",
      description =
          "Server URL, or the URLs of a cluster's nodes separated by commas (default: $EDFS_SERVER, else the"
              + " servers of the session, else https://127.0.0.1:8443).")
  String server;

  Optional<String> value() {
    return Optional.ofNullable(server);
  }
}
