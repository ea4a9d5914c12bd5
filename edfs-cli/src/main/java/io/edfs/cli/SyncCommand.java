package io.edfs.cli;

import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.Session;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edfs sync SRC DST}: one way, from a local folder to a remote one or back. The remote side
 * is always written {@code edfs:PATH} (or {@code @owner/...}): guessing the direction from which
 * folders exist locally could turn a restore into an upload, and with {@code --delete} delete
 * what was to be restored.
 */
@Command(
    name = "sync",
    description = {
      "Make DST hold what SRC holds, one way: a local folder to a remote one, or a remote folder to a"
          + " local one. Only files that are missing or differ (size and modification time; content"
          + " with --checksum) are copied; nothing is deleted unless --delete.",
      "Write the remote side as edfs:/PATH (or @owner/NAME/...): edfs sync ~/Documents edfs:/docs"
          + " uploads, edfs sync edfs:/docs ~/Documents downloads."
    })
final class SyncCommand extends ClientCommand {
  static final String REMOTE_PREFIX = "edfs:";

  @Option(names = "--delete", description = "Also delete what SRC does not have from DST.")
  boolean delete;

  @Option(names = {"-n", "--dry-run"}, description = "Print what would be done (put, get, mkdir, delete) and change nothing.")
  boolean dryRun;

  @Option(names = {"-c", "--checksum"}, description = "Compare files by SHA-256 of their content instead of size and modification time.")
  boolean checksum;

  @Mixin TransfersOption transfers;

  @Parameters(index = "0", paramLabel = "SRC")
  String src;

  @Parameters(index = "1", paramLabel = "DST")
  String dst;

  @Override
  int run(Cli cli, Session s) {
    boolean up = upward(src, dst);
    try (var t = new TreeTransfer(cli, s, transfers.transfers, "sync")) {
      if (up) {
        cli.subject = remote(dst);
        return t.syncUp(Path.of(src), remote(dst), delete, dryRun, checksum);
      }
      cli.subject = remote(src);
      return t.syncDown(remote(src), Path.of(dst), delete, dryRun, checksum);
    }
  }

  /** Whether SRC is the local side (an upload): the remote side is the one marked as remote. */
  static boolean upward(String src, String dst) {
    boolean srcRemote = marked(src);
    boolean dstRemote = marked(dst);
    if (srcRemote == dstRemote) {
      throw new EdfsException(
          Reason.BAD_REQUEST,
          srcRemote
              ? "both " + src + " and " + dst + " are remote; one side must be a local folder"
              : "write the remote side as " + REMOTE_PREFIX + "/PATH (or @owner/NAME): edfs sync LOCAL "
                  + REMOTE_PREFIX + "/PATH uploads, edfs sync " + REMOTE_PREFIX + "/PATH LOCAL downloads");
    }
    return dstRemote;
  }

  private static boolean marked(String arg) {
    return arg.startsWith(REMOTE_PREFIX) || arg.startsWith("@");
  }

  private static String remote(String arg) {
    return arg.startsWith(REMOTE_PREFIX) ? arg.substring(REMOTE_PREFIX.length()) : arg;
  }
}
