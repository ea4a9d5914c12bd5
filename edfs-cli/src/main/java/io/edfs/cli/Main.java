package io.edfs.cli;

import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.Json;
import io.edfs.server.AdminException;
import io.edfs.server.DumpException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code edfs} command: parses arguments, runs a subcommand, maps failures to one line. */
@Command(
    name = "edfs",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    version = "edfs 0.1.0",
    description = "End-to-end encrypted file server and client.",
    commandListHeading = "%nCommands (edfs help COMMAND, or edfs COMMAND --help, for each one's options):%n")
public final class Main {
  /**
   * Every top-level command, in the order help lists them. Only the command being run is
   * registered with picocli: building the model of all of them by reflection costs a short
   * command a tenth of a second.
   */
  static final List<Class<?>> COMMANDS =
      List.of(
          ServerCommand.class,
          AccountCommands.Signup.class,
          AccountCommands.Login.class,
          AccountCommands.Logout.class,
          AccountCommands.Whoami.class,
          FileCommands.Mkdir.class,
          FileCommands.Ls.class,
          FileCommands.Stat.class,
          FileCommands.Put.class,
          FileCommands.Get.class,
          SyncCommand.class,
          FileCommands.Cat.class,
          FileCommands.Write.class,
          FileCommands.Mv.class,
          FileCommands.Rm.class,
          ShareCommands.ShareCmd.class,
          ShareCommands.Unshare.class,
          ShareCommands.Shares.class,
          ShareCommands.Shared.class,
          BenchCommand.class,
          UiCommand.class,
          AdminCommands.class,
          CompletionCommand.class,
          HelpCommand.class,
          TrainCommand.class);

  /** Exit code of an integrity failure: tampered data, a damaged dump, a lost or corrupt block. */
  static final int EXIT_INTEGRITY = 8;

  /** A node's or user's id, as the server writes it in its problem details. */
  private static final Pattern NODE_ID =
      Pattern.compile("\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

  final Cli cli;

  Main(Cli cli) {
    this.cli = cli;
  }

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "Print no progress and no summary (errors still print).")
  void quiet(boolean quiet) {
    cli.quiet = quiet;
  }

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Print a line for every file a transfer moves.")
  void verbose(boolean verbose) {
    cli.verbose = verbose;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command line; returns the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Cli cli = new Cli(env, out, err);
    CommandLine cmd = commandLine(cli, args.length == 0 ? Optional.empty() : Optional.of(args[0]));
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          // a command asked for JSON output is read by a program: its error is JSON too
          boolean json = commandLine.getParseResult().hasMatchedOption("--json");
          err.println(json ? errorJson(e, cli.subject) : "edfs: " + message(e, cli.subject));
          return exitCode(e);
        });
    int code = cmd.execute(args);
    out.flush();
    return code;
  }

  /**
   * The command line with {@code first}'s command alone when it names one that needs no other
   * (most runs), else with every command (help, completion, usage errors).
   */
  static CommandLine commandLine(Cli cli, Optional<String> first) {
    CommandLine cmd = new CommandLine(new Main(cli));
    Optional<Class<?>> only =
        first.flatMap(name -> COMMANDS.stream().filter(c -> commandName(c).equals(name)).findFirst())
            .filter(c -> c != HelpCommand.class && c != CompletionCommand.class);
    boolean versionOnly = first.filter(a -> a.equals("-V") || a.equals("--version")).isPresent();
    for (Class<?> c : only.map(List::<Class<?>>of).orElse(versionOnly ? List.of() : COMMANDS)) {
      cmd.addSubcommand(c);
    }
    return cmd;
  }

  static String commandName(Class<?> c) {
    return c.getAnnotation(Command.class).name();
  }

  static String message(Exception e, String subject) {
    if (e instanceof LocalPathException) {
      return e.getMessage(); // worded by the command, naming the local path
    }
    if (e instanceof EdfsException x) {
      String about = subject.isEmpty() ? "" : subject + ": ";
      return switch (x.reason()) {
        case FORBIDDEN -> about + "not allowed";
        case NAME_EXISTS -> about + "name exists";
        case NOT_FOUND -> remoteNotFound(x.getMessage(), about);
        case VERSION_CONFLICT ->
            about + "version conflict: someone else saved a newer version first; nothing was overwritten";
        case INVALID_CREDENTIALS -> "wrong username or password";
        case USER_EXISTS -> "username '" + subject + "' is taken";
        case NOT_EMPTY -> about + "folder is not empty (use -r)";
        // a server's detail may name nodes by id, which means nothing to the user
        default -> NODE_ID.matcher(x.getMessage()).find() ? about + slug(x.reason()).replace('-', ' ') : x.getMessage();
      };
    }
    if (e instanceof UncheckedIOException io) {
      return io.getMessage() + ": " + io.getCause().getMessage();
    }
    if (e instanceof java.io.IOException io) {
      return io.getMessage();
    }
    return e.toString();
  }

  /**
   * "remote PATH: not found": the SDK's detail names the missing path (perhaps a parent of the
   * subject); the server's names an id, so the subject stands in.
   */
  private static String remoteNotFound(String detail, String about) {
    if (detail.contains(": not found")) {
      return "remote " + detail;
    }
    return about.isEmpty() ? "not found" : "remote " + about + "not found";
  }

  /**
   * The error line of a command run with {@code --json}: {@code {"error": LINE, "code": CODE,
   * "exit": N}}, with the line and exit code it has without {@code --json}.
   */
  static String errorJson(Exception e, String subject) {
    var o = Json.mapper().createObjectNode();
    o.put("error", message(e, subject)).put("code", code(e)).put("exit", exitCode(e));
    return o.toString();
  }

  /**
   * A stable name for what went wrong, for scripts: the REST API's problem type where there is
   * one ({@link ErrorType#slug()}), else the reason in the same style.
   */
  static String code(Exception e) {
    if (e instanceof DumpException d) {
      return slug(d.problem());
    }
    if (e instanceof AdminException a) {
      return slug(a.problem());
    }
    if (!(e instanceof EdfsException x)) {
      return e instanceof java.io.IOException || e instanceof UncheckedIOException ? "io" : "error";
    }
    // the reasons that come from the server are named as its problem types, but for one
    return x.reason() == Reason.SERVER_ERROR ? ErrorType.INTERNAL.slug() : slug(x.reason());
  }

  private static String slug(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static int exitCode(Exception e) {
    if (e instanceof DumpException d) {
      return switch (d.problem()) {
        case TARGET_NOT_EMPTY -> 5;
        case NOT_A_DUMP, UNSUPPORTED_VERSION -> 7;
        case TRUNCATED, CORRUPT, INCONSISTENT_SOURCE -> EXIT_INTEGRITY;
      };
    }
    if (e instanceof AdminException a) {
      return switch (a.problem()) {
        case NOT_A_BACKUP, NO_SNAPSHOT, NO_SECRET -> 3;
        case OTHER_SECRET, OTHER_INSTALLATION -> 5;
        case UNSUPPORTED_STORE -> 7;
        case MISSING_BLOCK, CORRUPT_BLOCK -> EXIT_INTEGRITY;
      };
    }
    if (!(e instanceof EdfsException x)) {
      return 1;
    }
    Reason r = x.reason();
    return switch (r) {
      case NOT_FOUND, UNKNOWN_USER -> 3;
      case FORBIDDEN, INVALID_CREDENTIALS, UNAUTHENTICATED, RATE_LIMITED -> 4;
      case NAME_EXISTS, USER_EXISTS, VERSION_CONFLICT, NOT_EMPTY -> 5;
      case UNREACHABLE, UNAVAILABLE, CERTIFICATE_CHANGED -> 6;
      case INVALID_NAME, NOT_A_FOLDER, NOT_A_FILE, INVALID_MOVE, BAD_REQUEST, TOO_LARGE, QUOTA_EXCEEDED -> 7;
      case TAMPERED -> EXIT_INTEGRITY;
      default -> 1;
    };
  }
}
