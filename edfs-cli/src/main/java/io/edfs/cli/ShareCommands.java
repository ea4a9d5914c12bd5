package io.edfs.cli;

import io.edfs.client.Session;
import io.edfs.client.Share;
import io.edfs.protocol.Json;
import io.edfs.protocol.Mode;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** share, unshare, shares, shared. */
final class ShareCommands {
  private ShareCommands() {}

  static final class ModeChoice {
    @Option(names = "--read", required = true, description = "Read-only access.")
    boolean read;

    @Option(names = "--write", required = true, description = "Read and write access.")
    boolean write;
  }

  @Command(name = "share", description = "Give USER read or write access to a file or folder of yours.")
  static final class ShareCmd extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "USER")
    String user;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModeChoice mode;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = path;
      s.share(path, user, mode.write ? Mode.W : Mode.R);
      return 0;
    }
  }

  @Command(name = "unshare", description = "Revoke USER's access to a file or folder of yours.")
  static final class Unshare extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "USER")
    String user;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = path;
      s.unshare(path, user);
      return 0;
    }
  }

  @Command(name = "shares", description = "List the grants you gave (on PATH, or on everything).")
  static final class Shares extends ClientCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Parameters(paramLabel = "PATH", arity = "0..1")
    String path;

    @Override
    int run(Cli cli, Session s) throws Exception {
      cli.subject = path == null ? "" : path;
      print(cli, s.sharesGiven(Optional.ofNullable(path)), json, true);
      return 0;
    }
  }

  @Command(name = "shared", description = "List what others shared with you, as @owner/name paths.")
  static final class Shared extends ClientCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    int run(Cli cli, Session s) throws Exception {
      print(cli, s.sharedWithMe(), json, false);
      return 0;
    }
  }

  private static void print(Cli cli, List<Share> shares, boolean json, boolean given) throws Exception {
    if (json) {
      cli.out.println(Json.mapper().writeValueAsString(shares));
      return;
    }
    for (Share sh : shares) {
      String mode = sh.mode() == Mode.W ? "write" : "read";
      String who = given ? sh.grantee() : sh.owner();
      cli.out.println(sh.path() + (sh.kind() == io.edfs.protocol.NodeKind.D ? "/" : "") + "\t" + who + "\t" + mode);
    }
  }
}
