package io.edfs.cli;

import picocli.CommandLine.Option;

/** The {@code --transfers N} option of the commands that copy trees. */
final class TransfersOption {
  @Option(
      names = "--transfers",
      paramLabel = "N",
      defaultValue = "8",
      description = "Files, folders and listings in flight at once, for whole folders (1..64, default: ${DEFAULT-VALUE}).")
  int transfers;
}
